/** An offer's NGO ids, the lead first (the offer aliased `o`). */
export const OFFER_NGO_IDS_SQL = `array(SELECT n.ngo_id::text FROM offer_ngos n WHERE n.municipality_id = o.municipality_id AND n.offer_id = o.id ORDER BY n.position)`;

/** An offer's NGO names, the lead first (the offer aliased `o`). */
export const OFFER_NGO_NAMES_SQL = `array(SELECT g.name FROM offer_ngos n JOIN ngos g ON g.municipality_id = n.municipality_id AND g.id = n.ngo_id
                       WHERE n.municipality_id = o.municipality_id AND n.offer_id = o.id ORDER BY n.position)`;
