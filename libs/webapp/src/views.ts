import { STYLESHEET, TABLE_TEMPLATE } from '@app/site';
import { Eta } from 'eta';
import { createHash } from 'node:crypto';

/**
 * The web app's markup: Eta templates held in memory, every `<%= %>` escaped (autoEscape). Raw
 * output (`<%~ %>`) is used only for a template's own rendered output (the layout's body, the
 * partials). The stylesheet is a file (/app/assets/app-<hash>.css) under a CSP without
 * 'unsafe-inline'; no page needs a script.
 */

// The public pages' stylesheet, plus forms, buttons, navigation and notices (the GOV.UK Design
// System's patterns, not its brand). Colours on white: error #b3261e 6.3:1, success #1d6b35 6.5:1.
const APP_STYLES = `
:root{--error:#b3261e;--ok:#1d6b35;--button:#0a4a94}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
header.site .bar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem}
header.site .who{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;font-size:.9375rem;color:var(--muted)}
header.site .who span{overflow-wrap:anywhere}
nav.app{background:#fff;border-bottom:1px solid var(--border)}
nav.app ul{list-style:none;margin:0;padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
nav.app a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.notice{margin:1rem 0;padding:.75rem 1rem;border-left:6px solid var(--ok);background:#eef7f0}
.error-summary{margin:1rem 0 1.5rem;padding:1rem;border:4px solid var(--error)}
.error-summary:focus{outline:3px solid var(--focus);outline-offset:2px}
.error-summary h2{margin:0 0 .5rem;border:0;font-size:1.25rem}
.error-summary ul{margin:0;padding-left:1.25rem}
.error-summary a{color:var(--error);font-weight:700}
.field{margin:0 0 1.5rem}
.field-error{padding-left:.9rem;border-left:5px solid var(--error)}
.field label,.field legend{display:block;font-weight:700;margin-bottom:.25rem}
.field fieldset{margin:0;padding:0;border:0}
.hint{margin:0 0 .35rem;color:var(--muted)}
.error-message{margin:0 0 .35rem;color:var(--error);font-weight:700}
input[type=text],input[type=email],input[type=url],input[type=date],input[type=password],input[type=search],input:not([type]),select,textarea{font:inherit;max-width:100%;padding:.4rem .5rem;color:var(--text);background:#fff;border:2px solid #5c5c5c;border-radius:0}
input.w-full,textarea{width:100%;max-width:40rem}
input.w-20{width:100%;max-width:22rem}
input.w-10{width:100%;max-width:12rem}
.field-error input,.field-error select,.field-error textarea{border-color:var(--error)}
.checks{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.25rem 1rem;margin:0;padding:0;list-style:none}
.checks label{font-weight:400;display:inline}
.check{display:flex;gap:.5rem;align-items:flex-start}
.check input{width:1.25rem;height:1.25rem;margin-top:.2rem;flex:none}
.button,button{display:inline-block;font:inherit;font-weight:700;padding:.5rem 1rem;color:#fff;background:var(--button);border:2px solid var(--button);border-radius:0;text-decoration:none;cursor:pointer}
.button:visited{color:#fff}
.button.secondary,button.secondary{color:var(--text);background:#f2f4f7;border-color:#5c5c5c}
button.link{padding:0;font-weight:400;color:var(--link);background:none;border:0;text-decoration:underline;text-underline-offset:.15em}
button.warning{background:var(--error);border-color:var(--error)}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1.5rem 0}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end;margin:1rem 0 1.5rem;padding:1rem;background:var(--alt);border:1px solid var(--border)}
form.filters .field{margin:0;min-width:0;max-width:100%}
select{max-width:100%}
form.filters select{width:22rem}
.pager{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:1rem 0}
.tag{display:inline-block;padding:0 .4rem;font-size:.875rem;font-weight:700;border:1px solid currentColor}
.sign-in{max-width:30rem}
.qr{margin:1rem 0}.qr svg{display:block;width:200px;max-width:100%;height:auto;border:1px solid var(--border)}
.qr figcaption{font-size:.875rem;color:var(--muted)}
code.secret{font-size:1.125rem;letter-spacing:.05em;overflow-wrap:anywhere}
.recovery-codes{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem 1rem;padding:0;list-style:none;font-size:1.125rem}
dl.facts dd{min-width:0;overflow-wrap:anywhere}
.offer-section{margin:2rem 0;padding-top:.5rem;border-top:4px solid var(--border)}
fieldset.offer-row,fieldset.group{min-width:0;margin:0 0 1.5rem;padding:.75rem 1rem;border:1px solid var(--border)}
fieldset.offer-row legend,fieldset.group legend{font-weight:700;padding:0 .25rem}
fieldset.empty-row{border-style:dashed}
.row-fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(12rem,100%),1fr));gap:0 1rem}
.row-fields .field{min-width:0;margin-bottom:1rem}
.computed{margin:.25rem 0 .75rem;padding:.5rem .75rem;background:var(--alt);font-variant-numeric:tabular-nums}
ul.call-list{list-style:none;padding:0}
ul.call-list li{padding:.75rem 0;border-bottom:1px solid var(--border)}
ul.call-list p{margin:.25rem 0}
.checksum-full code{font-size:1rem;overflow-wrap:anywhere;word-break:break-all}
.signatures{display:flex;flex-wrap:wrap;gap:2rem;margin-top:2rem}
.signature{flex:1 1 14rem}
.signature-line{height:3.5rem;margin:0;border-bottom:1px solid var(--text)}
.warning-notice{border-left-color:var(--error);background:#fdf1f0}
@media print{.no-print{display:none}body.print-page{font-size:11pt}}
@media print{nav.app,header.site .who,.actions,form.filters,.pager{display:none}}
`.trim();

export const APP_STYLESHEET = `${STYLESHEET}\n${APP_STYLES}`;
const STYLESHEET_VERSION = createHash('sha256').update(APP_STYLESHEET, 'utf8').digest('hex').slice(0, 12);
/** The stylesheet's address changes with its content, so browsers may keep it for a year. */
export const STYLESHEET_PATH = `/app/assets/app-${STYLESHEET_VERSION}.css`;

export const APP_CSP = ["default-src 'none'", "style-src 'self'", "img-src 'self'", "script-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');

const LAYOUT = `<!DOCTYPE html>
<html lang="pl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><% if (it.hasErrors) { %>Błąd: <% } %><%= it.title %> – <%= it.appName %></title>
<link rel="stylesheet" href="<%= it.stylesheet %>">
</head>
<body>
<a class="skip-link" href="#tresc">Przejdź do treści</a>
<header class="site"><div class="wrap bar">
<p class="site-name"><a href="/app"><%= it.appName %></a></p>
<% if (it.user) { %>
<div class="who"><span><%= it.user.email %> (<%= it.user.roleLabel %>, <%= it.user.municipality %>)</span>
<form method="post" action="/app/logout"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit" class="link">Wyloguj się</button></form></div>
<% } %>
</div></header>
<% if (it.nav.length) { %>
<nav class="app" aria-label="Menu główne"><div class="wrap"><ul>
<% it.nav.forEach(function (n) { %><li><a href="<%= n.href %>"<% if (n.current) { %> aria-current="page"<% } %>><%= n.label %></a></li><% }) %>
</ul></div></nav>
<% } %>
<main id="tresc" tabindex="-1"><div class="wrap">
<% if (it.flash) { %><div class="notice" role="status"><p><%= it.flash %></p></div><% } %>
<%~ it.body %>
</div></main>
<footer><div class="wrap"><p>System obsługi współpracy gminy z organizacjami pozarządowymi. <a href="/">Strony publiczne</a></p></div></footer>
</body>
</html>
`;

/** The error summary: at the top of a rejected form, each message a link to its field (GOV.UK's pattern). */
const ERROR_SUMMARY = `<% if (it.errors.length) { %>
<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">Popraw <%= it.errors.length === 1 ? 'błąd' : 'błędy' %></h2>
<ul>
<% it.errors.forEach(function (e) { %><li><% if (e.href) { %><a href="<%= e.href %>"><%= e.message %></a><% } else { %><%= e.message %><% } %></li><% }) %>
</ul>
</div>
<% } %>`;

/**
 * One form field: a label, an optional hint, the error message, the control. `describedBy` joins
 * the hint's and the error's ids; a group of checkboxes is a fieldset with a legend.
 */
const FIELD = `<div class="field<% if (it.error) { %> field-error<% } %>">
<% if (it.kind === 'checkboxes') { %>
<fieldset<% if (it.describedBy) { %> aria-describedby="<%= it.describedBy %>"<% } %>>
<legend id="<%= it.id %>-legend"><%= it.label %></legend>
<% if (it.hint) { %><p class="hint" id="<%= it.id %>-hint"><%= it.hint %></p><% } %>
<% if (it.error) { %><p class="error-message" id="<%= it.id %>-error"><span class="visually-hidden">Błąd:</span> <%= it.error %></p><% } %>
<ul class="checks">
<% it.options.forEach(function (o, i) { %><li class="check"><input type="checkbox" id="<%= i === 0 ? it.id : it.id + '-' + i %>" name="<%= it.name %>" value="<%= o.value %>"<% if (o.selected) { %> checked<% } %>><label for="<%= i === 0 ? it.id : it.id + '-' + i %>"><%= o.label %></label></li><% }) %>
</ul>
</fieldset>
<% } else if (it.kind === 'checkbox') { %>
<div class="check"><input type="checkbox" id="<%= it.id %>" name="<%= it.name %>" value="true"<% if (it.value === 'true') { %> checked<% } %><% if (it.describedBy) { %> aria-describedby="<%= it.describedBy %>"<% } %>><label for="<%= it.id %>"><%= it.label %></label></div>
<% if (it.hint) { %><p class="hint" id="<%= it.id %>-hint"><%= it.hint %></p><% } %>
<% if (it.error) { %><p class="error-message" id="<%= it.id %>-error"><span class="visually-hidden">Błąd:</span> <%= it.error %></p><% } %>
<% } else { %>
<label for="<%= it.id %>"><%= it.label %><% if (it.optional) { %> (nieobowiązkowe)<% } %></label>
<% if (it.hint) { %><p class="hint" id="<%= it.id %>-hint"><%= it.hint %></p><% } %>
<% if (it.error) { %><p class="error-message" id="<%= it.id %>-error"><span class="visually-hidden">Błąd:</span> <%= it.error %></p><% } %>
<% if (it.kind === 'select') { %>
<select id="<%= it.id %>" name="<%= it.name %>"<% if (it.describedBy) { %> aria-describedby="<%= it.describedBy %>"<% } %><% if (it.error) { %> aria-invalid="true"<% } %>>
<% it.options.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %>
</select>
<% } else if (it.kind === 'textarea') { %>
<textarea id="<%= it.id %>" name="<%= it.name %>" rows="3"<% if (it.describedBy) { %> aria-describedby="<%= it.describedBy %>"<% } %><% if (it.error) { %> aria-invalid="true"<% } %>><%= it.value %></textarea>
<% } else { %>
<input id="<%= it.id %>" name="<%= it.name %>" type="<%= it.kind %>" value="<%= it.value %>" class="<%= it.width %>"<% if (it.autocomplete) { %> autocomplete="<%= it.autocomplete %>"<% } %><% if (it.inputmode) { %> inputmode="<%= it.inputmode %>"<% } %><% if (it.spellcheck === false) { %> spellcheck="false"<% } %><% if (it.describedBy) { %> aria-describedby="<%= it.describedBy %>"<% } %><% if (it.error) { %> aria-invalid="true"<% } %>>
<% } %>
<% } %>
</div>
`;

/** Definitions: a record's facts. */
const FACTS = `<dl class="facts">
<% it.facts.forEach(function (f) { %><dt><%= f.label %></dt><dd><% if (f.href) { %><a href="<%= f.href %>"><%= f.value %></a><% } else { %><%= f.value %><% } %></dd><% }) %>
</dl>
`;

/** Previous and next page links of a list. */
const PAGER = `<% if (it.prev || it.next) { %>
<nav aria-label="Strony wyników"><ul class="pager">
<% if (it.prev) { %><li><a href="<%= it.prev %>" rel="prev">‹ Poprzednia strona</a></li><% } %>
<li><%= it.label %></li>
<% if (it.next) { %><li><a href="<%= it.next %>" rel="next">Następna strona ›</a></li><% } %>
</ul></nav>
<% } %>`;

/** After a stale version: what someone else saved meanwhile beside the user's values (`changes`: label, current, yours). */
const STALE_CHANGES = `<% if (it.changes.length) { %>
<div class="table-wrap" role="region" aria-labelledby="changes-caption" tabindex="0"><table>
<caption id="changes-caption">Zmiany zapisane w międzyczasie przez kogoś innego</caption>
<thead><tr><th scope="col">Pole</th><th scope="col">Teraz zapisane</th><th scope="col">Twoja wersja (w formularzu)</th></tr></thead>
<tbody><% it.changes.forEach(function (c) { %><tr><th scope="row"><%= c.label %></th><td><%= c.current %></td><td><%= c.yours %></td></tr><% }) %></tbody>
</table></div>
<% } %>
`;

/** A create or edit form of a record; after a stale version, what someone else saved meanwhile beside the user's values. */
const RECORD_FORM_SOURCE = `<h1><%= it.heading %></h1>
<%~ include('@error-summary', { errors: it.errors }) %>
<%~ include('@stale-changes', { changes: it.changes }) %>
<form method="post" action="<%= it.action %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<% if (it.version) { %><input type="hidden" name="version" value="<%= it.version %>"><% } %>
<%~ it.fields %>
<div class="actions"><button type="submit"><%= it.submit %></button><a href="<%= it.cancelHref %>">Anuluj</a></div>
</form>
`;

export const eta = new Eta({ autoEscape: true, autoTrim: [false, 'nl'], cache: true, useWith: false, varName: 'it' });
eta.loadTemplate('@layout', LAYOUT);
eta.loadTemplate('@error-summary', ERROR_SUMMARY);
eta.loadTemplate('@field', FIELD);
// the public pages' table: caption, row headers, optional totals, scrolling inside its labelled region on a phone
eta.loadTemplate('@table', TABLE_TEMPLATE);
eta.loadTemplate('@facts', FACTS);
eta.loadTemplate('@pager', PAGER);
eta.loadTemplate('@stale-changes', STALE_CHANGES);
eta.loadTemplate('@record-form', RECORD_FORM_SOURCE);
export const RECORD_FORM = '@record-form';

/** Registers a page's template (each page module registers its own at load). */
export function template(name: `@${string}`, source: string): typeof name {
  eta.loadTemplate(name, source);
  return name;
}
