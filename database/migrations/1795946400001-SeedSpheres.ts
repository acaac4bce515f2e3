import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public-benefit spheres of art. 4 ust. 1 of the Act on Public Benefit Activity and
 * Volunteerism, as in force around 2019 (../shared/domain.md). Their start of validity is left
 * open (NULL). Later additions (integration of foreigners, free civic counselling, veterans)
 * are not seeded: their point numbers could not be confirmed against the consolidated text.
 */
const SPHERES: ReadonlyArray<[code: string, sortKey: number, name: string]> = [
  ['1', 10, 'pomoc społeczna, w tym pomoc rodzinom i osobom w trudnej sytuacji życiowej oraz wyrównywanie szans tych rodzin i osób'],
  ['1a', 11, 'wspieranie rodziny i systemu pieczy zastępczej'],
  ['1b', 12, 'udzielanie nieodpłatnej pomocy prawnej oraz zwiększanie świadomości prawnej społeczeństwa'],
  ['2', 20, 'działalność na rzecz integracji i reintegracji zawodowej i społecznej osób zagrożonych wykluczeniem społecznym'],
  ['3', 30, 'działalność charytatywna'],
  ['4', 40, 'podtrzymywanie i upowszechnianie tradycji narodowej, pielęgnowanie polskości oraz rozwoju świadomości narodowej, obywatelskiej i kulturowej'],
  ['5', 50, 'działalność na rzecz mniejszości narodowych i etnicznych oraz języka regionalnego'],
  ['6', 60, 'ochrona i promocja zdrowia'],
  ['7', 70, 'działalność na rzecz osób niepełnosprawnych'],
  ['8', 80, 'promocja zatrudnienia i aktywizacji zawodowej osób pozostających bez pracy i zagrożonych zwolnieniem z pracy'],
  ['9', 90, 'działalność na rzecz równych praw kobiet i mężczyzn'],
  ['10', 100, 'działalność na rzecz osób w wieku emerytalnym'],
  ['11', 110, 'działalność wspomagająca rozwój gospodarczy, w tym rozwój przedsiębiorczości'],
  ['12', 120, 'działalność wspomagająca rozwój techniki, wynalazczości i innowacyjności'],
  ['13', 130, 'działalność wspomagająca rozwój wspólnot i społeczności lokalnych'],
  ['14', 140, 'nauka, szkolnictwo wyższe, edukacja, oświata i wychowanie'],
  ['15', 150, 'działalność na rzecz dzieci i młodzieży, w tym wypoczynek dzieci i młodzieży'],
  ['16', 160, 'kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego'],
  ['17', 170, 'wspieranie i upowszechnianie kultury fizycznej'],
  ['18', 180, 'ekologia i ochrona zwierząt oraz ochrona dziedzictwa przyrodniczego'],
  ['19', 190, 'turystyka i krajoznawstwo'],
  ['20', 200, 'porządek i bezpieczeństwo publiczne'],
  ['21', 210, 'obronność państwa i działalność Sił Zbrojnych Rzeczypospolitej Polskiej'],
  ['22', 220, 'upowszechnianie i ochrona wolności i praw człowieka oraz swobód obywatelskich, a także działań wspomagających rozwój demokracji'],
  ['23', 230, 'ratownictwo i ochrona ludności'],
  ['24', 240, 'pomoc ofiarom katastrof, klęsk żywiołowych, konfliktów zbrojnych i wojen w kraju i za granicą'],
  ['25', 250, 'upowszechnianie i ochrona praw konsumentów'],
  ['26', 260, 'działalność na rzecz integracji europejskiej oraz rozwijania kontaktów i współpracy między społeczeństwami'],
  ['27', 270, 'promocja i organizacja wolontariatu'],
  ['28', 280, 'pomoc Polonii i Polakom za granicą'],
  ['29', 290, 'działalność na rzecz kombatantów i osób represjonowanych'],
  ['30', 300, 'promocja Rzeczypospolitej Polskiej za granicą'],
  ['31', 310, 'działalność na rzecz rodziny, macierzyństwa, rodzicielstwa, upowszechniania i ochrony praw dziecka'],
  ['32', 320, 'przeciwdziałanie uzależnieniom i patologiom społecznym'],
  ['32a', 321, 'rewitalizacja'],
  ['33', 330, 'działalność na rzecz organizacji pozarządowych oraz podmiotów wymienionych w art. 3 ust. 3, w zakresie określonym w pkt 1–32a'],
];

export class SeedSpheres1795946400001 implements MigrationInterface {
  name = 'SeedSpheres1795946400001';

  async up(q: QueryRunner): Promise<void> {
    for (const [code, sortKey, name] of SPHERES) {
      await q.query('INSERT INTO spheres (code, sort_key, name) VALUES ($1, $2, $3)', [code, sortKey, name]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM spheres');
  }
}
