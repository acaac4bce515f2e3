import { Eta } from 'eta';
import { createHash } from 'node:crypto';

/**
 * The public pages' markup: Eta templates held in memory, every `<%= %>` escaped (autoEscape).
 * Raw output (`<%~ %>`) is used for three things only: the stylesheet below, a template's own
 * rendered output (the layout's body, the table partial), and the charts' SVG, which the
 * publication made with every text escaped (libs/reports/src/charts.ts).
 */

// Colours on white: text #1a1a1a 17:1, muted #474747 9:1, links #0a4a94 8.6:1, focus ring #b34700 5.8:1.
export const STYLESHEET = `
:root{color-scheme:light;--text:#1a1a1a;--muted:#474747;--link:#0a4a94;--visited:#5b2a86;--border:#b8bec7;--alt:#f2f4f7;--focus:#b34700}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--text);background:#fff;overflow-wrap:break-word}
.wrap{max-width:72rem;margin:0 auto;padding:0 1rem}
.skip-link{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.skip-link:focus{position:fixed;left:1rem;top:1rem;width:auto;height:auto;z-index:10;padding:.5rem 1rem;background:#fff;color:var(--text);border:3px solid var(--focus)}
a{color:var(--link);text-underline-offset:.15em}
a:visited{color:var(--visited)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
main:focus{outline:none}
header.site{background:var(--alt);border-bottom:1px solid var(--border)}
.site-name{margin:0;padding:.75rem 0 0;font-weight:700}
.breadcrumbs{list-style:none;margin:0;padding:.25rem 0 .75rem;display:flex;flex-wrap:wrap;gap:.25rem .5rem}
.breadcrumbs li+li::before{content:"›";margin-right:.5rem;color:var(--muted)}
h1{font-size:1.75rem;line-height:1.25;margin:1.5rem 0 1rem}
h2{font-size:1.375rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--border)}
h3{font-size:1.125rem;margin:1.5rem 0 .5rem}
.lead,.meta,figcaption,footer{color:var(--muted)}
.table-wrap{max-width:100%;overflow-x:auto;margin:0 0 1.5rem;border:1px solid var(--border)}
table{width:100%;border-collapse:collapse;font-size:.9375rem}
caption{caption-side:top;text-align:left;font-weight:700;padding:.5rem .75rem}
th,td{padding:.4rem .75rem;text-align:left;vertical-align:top;border-top:1px solid var(--border)}
thead th{background:var(--alt)}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tfoot th,tfoot td{font-weight:700;border-top:2px solid var(--text)}
ul.plain{list-style:none;margin:0;padding:0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem;margin:0;padding:0}
.figures div{padding:.75rem;background:var(--alt);border:1px solid var(--border);border-radius:4px}
.figures dt{font-size:.875rem;color:var(--muted)}
.figures dd{margin:0;font-size:1.25rem;font-weight:700}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.facts dt{font-weight:700}
dl.facts dd{margin:0}
figure{margin:0 0 2rem}
figure svg{display:block;width:100%;max-width:660px;height:auto;border:1px solid var(--border)}
.two-sizes .chart-narrow svg{max-width:340px}
.two-sizes .chart-narrow{display:none}
@media screen and (max-width:30rem){.two-sizes .chart-wide{display:none}.two-sizes .chart-narrow{display:block}}
figcaption{margin-top:.5rem;max-width:60rem}
code,.links a{overflow-wrap:anywhere}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0 1.5rem}
form.search label{flex-basis:100%;font-weight:700}
form.search input{flex:1 1 14rem;max-width:30rem;min-width:0;font:inherit;padding:.4rem .5rem;color:var(--text);background:#fff;border:2px solid #5c5c5c;border-radius:4px}
form.search button{font:inherit;padding:.45rem 1rem;color:#fff;background:var(--link);border:2px solid var(--link);border-radius:4px;cursor:pointer}
.commission{margin-bottom:2.5rem}
.text{white-space:pre-line}
ul.calls{list-style:none;margin:0;padding:0}
ul.calls>li{margin:0 0 1.5rem;padding:.75rem 1rem;border:1px solid var(--border);border-left:4px solid var(--link);border-radius:4px}
ul.calls h3{margin:0 0 .5rem}
ul.calls dl.facts{margin:0}
.notice{margin:0 0 1.5rem;padding:.75rem 1rem;background:var(--alt);border:1px solid var(--border);border-left:4px solid var(--focus);font-weight:700}
.toc{margin:1rem 0 2rem;padding:.75rem 1rem;background:var(--alt);border:1px solid var(--border)}
.toc h2{margin:0 0 .5rem;border:0;font-size:1.125rem}
.toc ol{margin:0;padding-left:1.5rem}
details summary{cursor:pointer;color:var(--link);text-decoration:underline}
footer{margin-top:3rem;padding:1rem 0;border-top:1px solid var(--border);font-size:.875rem}
@media (max-width:40rem){h1{font-size:1.45rem}h2{font-size:1.2rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}}
@media print{
.skip-link,header.site nav,form.search,footer,.toc{display:none}
body{font-size:10.5pt}
.wrap{max-width:none;padding:0}
a,a:visited{color:inherit}
main a[href^="/"]::after{content:" (" attr(href) ")";font-size:9pt}
.table-wrap{overflow:visible;border:0}
thead{display:table-header-group}
tr,figure,.figures div,.commission{break-inside:avoid}
h2,h3,caption{break-after:avoid}
figure svg{max-width:16cm}
}
`.trim();

/**
 * The pages' Content-Security-Policy: nothing may load or run but the one stylesheet above,
 * allowed by its hash (deterministic, so cached pages stay valid; a nonce would change every
 * response). No script at all; the charts are SVG without style attributes or <style>.
 */
export const STYLESHEET_HASH = `sha256-${createHash('sha256').update(STYLESHEET, 'utf8').digest('base64')}`;
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src '${STYLESHEET_HASH}'`,
  "img-src 'self'",
  "script-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const LAYOUT = `<!DOCTYPE html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> – Współpraca z organizacjami pozarządowymi</title>
<style><%~ it.css %></style>
</head>
<body>
<a class="skip-link" href="#tresc">Przejdź do treści</a>
<header class="site"><div class="wrap">
<p class="site-name"><a href="/">Współpraca samorządów z organizacjami pozarządowymi</a></p>
<% if (it.crumbs.length) { %>
<nav aria-label="Ścieżka nawigacji"><ol class="breadcrumbs">
<% it.crumbs.forEach(function (c) { %>
<li><% if (c.href) { %><a href="<%= c.href %>"><%= c.label %></a><% } else { %><span aria-current="page"><%= c.label %></span><% } %></li>
<% }) %>
</ol></nav>
<% } %>
</div></header>
<main id="tresc" tabindex="-1"><div class="wrap">
<%~ it.body %>
</div></main>
<footer><div class="wrap">
<p>Dane publikuje gmina na podstawie ustawy o działalności pożytku publicznego i o wolontariacie. Strona działa bez JavaScriptu i bez plików cookie.</p>
</div></footer>
</body>
</html>
`;

/** One table: a caption, column headers, a row header per row, optional totals; wrapped so it scrolls on a phone. */
export const TABLE = `<div class="table-wrap" role="region" aria-labelledby="<%= it.id %>" tabindex="0">
<table>
<caption id="<%= it.id %>"><%= it.caption %></caption>
<thead><tr><% it.columns.forEach(function (col) { %><th scope="col"<% if (col.num) { %> class="num"<% } %>><%= col.label %></th><% }) %></tr></thead>
<tbody>
<% it.rows.forEach(function (row) { %>
<tr><th scope="row"><% if (row.href) { %><a href="<%= row.href %>"><%= row.head %></a><% } else { %><%= row.head %><% } %></th><% row.cells.forEach(function (cell, i) { %><td<% if (it.columns[i + 1].num) { %> class="num"<% } %>><% if (Array.isArray(cell) && cell.length > 3) { %><details><summary><%= cell.length %> organizacji</summary><ul class="plain"><% cell.forEach(function (line) { %><li><%= line %></li><% }) %></ul></details><% } else if (Array.isArray(cell)) { %><ul class="plain"><% cell.forEach(function (line) { %><li><%= line %></li><% }) %></ul><% } else { %><%= cell %><% } %></td><% }) %></tr>
<% }) %>
</tbody>
<% if (it.foot) { %>
<tfoot><tr><th scope="row"><%= it.foot.head %></th><% it.foot.cells.forEach(function (cell, i) { %><td<% if (it.columns[i + 1].num) { %> class="num"<% } %>><%= cell %></td><% }) %></tr></tfoot>
<% } %>
</table>
</div>
`;

const HOME = `<h1>Współpraca samorządów z organizacjami pozarządowymi</h1>
<p class="lead">Sprawozdania gmin z realizacji programów współpracy z organizacjami pozarządowymi, zlecone zadania publiczne i składy komisji dialogu obywatelskiego.</p>
<h2>Gminy</h2>
<% if (it.municipalities.length) { %>
<ul>
<% it.municipalities.forEach(function (m) { %>
<li><a href="<%= m.href %>"><%= m.name %></a> <span class="meta">(TERYT <%= m.teryt %>)</span></li>
<% }) %>
</ul>
<% } else { %>
<p>Nie ma jeszcze żadnej gminy.</p>
<% } %>
`;

const MUNICIPALITY = `<h1><%= it.name %></h1>
<p class="lead">Współpraca gminy z organizacjami pozarządowymi (TERYT <%= it.teryt %>).</p>
<ul>
<li><a href="<%= it.callsHref %>">Otwarte konkursy ofert: ogłoszenia i wyniki</a></li>
<li><a href="<%= it.commissionsHref %>">Komisje dialogu obywatelskiego i ich skład</a></li>
</ul>
<h2>Opublikowane sprawozdania</h2>
<% if (it.reports.rows.length) { %>
<%~ include('@table', it.reports) %>
<% } else { %>
<p>Gmina nie opublikowała jeszcze żadnego sprawozdania.</p>
<% } %>
`;

const COMMISSIONS = `<h1>Komisje dialogu obywatelskiego – <%= it.name %></h1>
<p class="lead"><%= it.intro %></p>
<form class="search" method="get" action="<%= it.action %>" role="search">
<label for="q">Szukaj organizacji po nazwie lub numerze KRS</label>
<input id="q" name="q" type="search" value="<%= it.q %>" maxlength="100" autocomplete="off">
<% if (it.all) { %><input type="hidden" name="all" value="1"><% } %>
<button type="submit">Szukaj</button>
</form>
<p><a href="<%= it.toggle.href %>"><%= it.toggle.label %></a><% if (it.q) { %> · <a href="<%= it.clearHref %>">Wyczyść wyszukiwanie</a><% } %></p>
<% if (it.found) { %><p role="status"><%= it.found %></p><% } %>
<% it.commissions.forEach(function (c) { %>
<section class="commission" aria-labelledby="<%= c.headingId %>">
<h2 id="<%= c.headingId %>"><%= c.name %></h2>
<dl class="facts">
<dt>Kadencja</dt><dd><%= c.term %> (<%= c.status %>)</dd>
<% if (c.sphere) { %><dt>Sfera</dt><dd><%= c.sphere %></dd><% } %>
<dt>Wydział</dt><dd><%= c.department %></dd>
</dl>
<% if (c.members.rows.length) { %>
<%~ include('@table', c.members) %>
<% } else { %>
<p><%= c.noMembers %></p>
<% } %>
</section>
<% }) %>
`;

const REPORT = `<h1><%= it.heading %></h1>
<p class="meta">Wersja <%= it.revision %>, opublikowana <time datetime="<%= it.publishedIso %>"><%= it.published %></time>. Skrót treści (SHA-256): <code><%= it.contentHash %></code>.</p>
<nav class="toc" aria-labelledby="spis-tresci"><h2 id="spis-tresci">Spis treści</h2><ol>
<li><a href="#liczby">Najważniejsze liczby</a></li>
<% if (it.programmes.length) { %><li><a href="#programy">Programy współpracy</a></li><% } %>
<li><a href="#dotacje">Dotacje według trybu, formy, sfery i wydziału</a></li>
<% if (it.calls) { %><li><a href="#konkursy">Otwarte konkursy ofert</a></li><% } %>
<% if (it.charts.length) { %><li><a href="#wykresy">Wykresy</a></li><% } %>
<li><a href="#zadania">Wykaz zleconych zadań publicznych</a></li>
<li><a href="#komisje">Komisje dialogu obywatelskiego</a></li>
<li><a href="#pozafinansowe">Pozafinansowe formy współpracy</a></li>
<li><a href="#pobieranie">Dane do pobrania</a></li>
</ol></nav>
<h2 id="liczby">Najważniejsze liczby</h2>
<dl class="figures">
<% it.figures.forEach(function (f) { %>
<div><dt><%= f.label %></dt><dd><%= f.value %></dd></div>
<% }) %>
</dl>
<% if (it.programmes.length) { %>
<h2 id="programy">Programy współpracy</h2>
<ul>
<% it.programmes.forEach(function (p) { %><li><%= p %></li><% }) %>
</ul>
<% } %>
<h2 id="dotacje">Dotacje według trybu, formy, sfery i wydziału</h2>
<%~ include('@table', it.byMode) %>
<%~ include('@table', it.byForm) %>
<%~ include('@table', it.bySphere) %>
<%~ include('@table', it.byDepartment) %>
<% if (it.calls) { %>
<h2 id="konkursy">Otwarte konkursy ofert</h2>
<p><%= it.calls.intro %></p>
<dl class="figures">
<% it.calls.figures.forEach(function (f) { %>
<div><dt><%= f.label %></dt><dd><%= f.value %></dd></div>
<% }) %>
</dl>
<p><a href="<%= it.calls.href %>">Ogłoszenia i wyniki konkursów</a></p>
<% } %>
<% if (it.charts.length) { %>
<h2 id="wykresy">Wykresy</h2>
<% it.charts.forEach(function (c) { %>
<figure<% if (c.narrowSvg) { %> class="two-sizes"<% } %>>
<% if (c.narrowSvg) { %><div class="chart-wide"><%~ c.svg %></div><div class="chart-narrow"><%~ c.narrowSvg %></div><% } else { %><%~ c.svg %><% } %>
<figcaption><strong><%= c.title %>.</strong> <%= c.description %></figcaption>
</figure>
<% }) %>
<% } %>
<h2 id="zadania">Wykaz zleconych zadań publicznych</h2>
<% if (it.tasks.rows.length) { %>
<%~ include('@table', it.tasks) %>
<% } else { %>
<p>W tym roku gmina nie zleciła organizacjom żadnego zadania publicznego.</p>
<% } %>
<h2 id="komisje">Komisje dialogu obywatelskiego</h2>
<p><%= it.commissionsSummary %></p>
<% if (it.commissions.rows.length) { %>
<%~ include('@table', it.commissions) %>
<% } %>
<h2 id="pozafinansowe">Pozafinansowe formy współpracy</h2>
<p><%= it.activitiesSummary %></p>
<%~ include('@table', it.activityTypes) %>
<% if (it.activities.rows.length) { %>
<%~ include('@table', it.activities) %>
<% } %>
<h2 id="pobieranie">Dane do pobrania</h2>
<ul class="links">
<li><a href="<%= it.links.json %>">Sprawozdanie w formacie JSON</a> (dane otwarte, bez logowania)</li>
<li><a href="<%= it.links.grants %>">Dotacje w standardzie 360Giving (JSON)</a> (dane otwarte, bez logowania)</li>
<li>Sprawozdanie z wykazem zadań: <a href="<%= it.links.xlsx %>">arkusz XLSX</a>, <a href="<%= it.links.csv %>">CSV dla arkusza w polskiej wersji</a>, <a href="<%= it.links.csvData %>">CSV dla programów</a>, <a href="<%= it.links.exportJson %>">JSON</a> (bez logowania)</li>
</ul>
`;

const FACTS = `<dl class="facts">
<% it.facts.forEach(function (f) { %><dt><%= f.term %></dt><dd><% if (f.iso) { %><time datetime="<%= f.iso %>"><%= f.value %></time><% } else { %><%= f.value %><% } %></dd>
<% }) %></dl>
`;

const CALLS = `<h1>Otwarte konkursy ofert – <%= it.name %></h1>
<p class="lead"><%= it.lead %></p>
<% if (it.toc.length > 1) { %>
<nav class="toc" aria-labelledby="spis-tresci"><h2 id="spis-tresci">Spis treści</h2><ol>
<% it.toc.forEach(function (s) { %><li><a href="#<%= s.id %>"><%= s.heading %></a> (<%= s.count %>)</li><% }) %>
</ol></nav>
<% } %>
<% it.sections.forEach(function (section) { %>
<section aria-labelledby="<%= section.id %>">
<h2 id="<%= section.id %>"><%= section.heading %></h2>
<% if (section.calls.length) { %>
<ul class="calls">
<% section.calls.forEach(function (c) { %>
<li>
<h3 id="<%= c.headingId %>"><a href="<%= c.href %>"><%= c.title %></a></h3>
<%~ include('@facts', { facts: c.facts }) %>
</li>
<% }) %>
</ul>
<% } else { %>
<p><%= section.empty %></p>
<% } %>
</section>
<% }) %>
`;

const CALL = `<h1><%= it.title %></h1>
<p class="meta"><%= it.meta %></p>
<p class="notice"><%= it.state %></p>
<nav class="toc" aria-labelledby="spis-tresci"><h2 id="spis-tresci">Ogłoszenie (art. 13 ust. 2 ustawy)</h2><ol>
<li><a href="#rodzaj">Rodzaj zadania</a></li>
<li><a href="#srodki">Wysokość środków publicznych</a></li>
<li><a href="#zasady">Zasady przyznawania dotacji</a></li>
<li><a href="#realizacja">Terminy i warunki realizacji zadania</a></li>
<li><a href="#termin">Termin składania ofert</a></li>
<li><a href="#wybor">Tryb, kryteria i termin wyboru ofert</a></li>
<li><a href="#poprzednie">Zadania tego samego rodzaju w latach poprzednich</a></li>
<% if (it.results !== undefined) { %><li><a href="#wyniki">Wyniki konkursu</a></li><% } %>
<% if (it.cancellation) { %><li><a href="#uniewaznienie">Unieważnienie konkursu</a></li><% } %>
</ol></nav>
<h2 id="rodzaj">1. Rodzaj zadania</h2>
<%~ include('@facts', { facts: it.task }) %>
<h2 id="srodki">2. Wysokość środków publicznych przeznaczonych na realizację zadania</h2>
<p><strong><%= it.budget %></strong></p>
<h2 id="zasady">3. Zasady przyznawania dotacji</h2>
<p class="text"><%= it.grantRules %></p>
<% if (it.grantFacts.length) { %><%~ include('@facts', { facts: it.grantFacts }) %><% } %>
<h2 id="realizacja">4. Terminy i warunki realizacji zadania</h2>
<p>Zadanie realizowane <%= it.taskPeriod %></p>
<h2 id="termin">5. Termin składania ofert</h2>
<p>Oferty przyjmowane do <time datetime="<%= it.deadlineIso %>"><%= it.deadline %></time> (czas polski). <%= it.offers %></p>
<h2 id="wybor">6. Tryb i kryteria stosowane przy wyborze ofert oraz termin dokonania wyboru</h2>
<p class="text"><%= it.selectionProcedure %></p>
<%~ include('@table', it.criteria) %>
<p>Wybór ofert nastąpi do <%= it.decisionBy %> r.</p>
<h2 id="poprzednie">7. Zadania publiczne tego samego rodzaju zrealizowane w roku ogłoszenia konkursu i w roku poprzednim</h2>
<%~ include('@table', it.prior) %>
<% if (it.results !== undefined) { %>
<h2 id="wyniki">Wyniki konkursu</h2>
<% if (it.results) { %>
<%~ include('@table', it.results) %>
<% } else { %>
<p>Komisja nie oceniła żadnej oferty.</p>
<% } %>
<% } %>
<% if (it.cancellation) { %>
<h2 id="uniewaznienie">Unieważnienie konkursu</h2>
<dl class="facts">
<dt>Powód</dt><dd><%= it.cancellation.reason %></dd>
<dt>Uzasadnienie</dt><dd class="text"><%= it.cancellation.justification %></dd>
</dl>
<% } %>
<p><a href="<%= it.backHref %>">Wszystkie konkursy gminy</a></p>
`;

const NOT_FOUND = `<h1>Nie znaleziono strony</h1>
<p><%= it.message %></p>
<p><a href="<%= it.backHref %>"><%= it.backLabel %></a></p>
`;

export const eta = new Eta({ autoEscape: true, autoTrim: [false, 'nl'], cache: true, useWith: false, varName: 'it' });
eta.loadTemplate('@layout', LAYOUT);
eta.loadTemplate('@table', TABLE);
eta.loadTemplate('@home', HOME);
eta.loadTemplate('@municipality', MUNICIPALITY);
eta.loadTemplate('@commissions', COMMISSIONS);
eta.loadTemplate('@report', REPORT);
eta.loadTemplate('@facts', FACTS);
eta.loadTemplate('@calls', CALLS);
eta.loadTemplate('@call', CALL);
eta.loadTemplate('@not-found', NOT_FOUND);

export type TemplateName = '@home' | '@municipality' | '@commissions' | '@report' | '@calls' | '@call' | '@not-found';
