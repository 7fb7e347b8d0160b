/**
 * Neutral greys for the page itself; the palette is kept for the charts. Each chart sits on a
 * white card in both schemes, so its palette colours and black text keep their contrast when the
 * page around it turns dark.
 */
export const PAGE_STYLE = `
:root { color-scheme: light dark; --page: #ffffff; --text: #1a1a1a; --muted: #595959; --rule: #d4d4d4; }
@media (prefers-color-scheme: dark) {
  :root { --page: #161616; --text: #e6e6e6; --muted: #a8a8a8; --rule: #3d3d3d; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; background: var(--page); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
h3 { margin-bottom: .5rem; }
.meta, .nothing { color: var(--muted); }
code { overflow-wrap: anywhere; }
dl.counts { display: grid; grid-template-columns: max-content max-content; gap: .25rem 1.5rem; }
dl.counts dd { margin: 0; font-variant-numeric: tabular-nums; text-align: right; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
td.number { text-align: right; white-space: nowrap; }
td.errors { min-width: 22rem; }
tbody th { font-weight: 600; min-width: 11rem; overflow-wrap: anywhere; }
figure.chart { margin: 1.5rem 0; display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.chart-card { background: #ffffff; color: #000000; border: 1px solid var(--rule); border-radius: 6px; padding: .5rem; max-width: 100%; }
.chart-card svg { display: block; max-width: 100%; height: auto; }
details { flex: 1 1 16rem; min-width: 0; }
details > table { font-size: .9em; }
summary { cursor: pointer; color: var(--muted); }
ol.timeline { padding-left: 1.25rem; }
ol.timeline time { font-variant-numeric: tabular-nums; color: var(--muted); }
.forced { color: inherit; text-transform: uppercase; font-size: .8em; letter-spacing: .05em; }
`
