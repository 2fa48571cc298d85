/**
 * The demo page served at `/`: type a sentence and see each word's sense and gloss; compare two
 * texts. Plain HTML and JavaScript, no build step; it only calls the public API, and it writes
 * every server string with `textContent`, never as HTML.
 *
 * @module
 */

/** The demo page. */
export const DEMO_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cohesive: word senses and similarity</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  h2 { font-size: 1.1rem; margin-top: 2rem; }
  textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; }
  button { font: inherit; padding: .3rem 1rem; margin-top: .4rem; cursor: pointer; }
  .muted { color: #666; font-size: .9rem; }
  #wsd-text-view { margin: .8rem 0; font-size: 1.1rem; }
  #wsd-text-view span.sense { border-bottom: 2px solid #4a7; cursor: help; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; font-size: .92rem; }
  th, td { text-align: left; border-bottom: 1px solid #ddd; padding: .25rem .4rem; vertical-align: top; }
  th { background: #f4f4f4; }
  code { font-size: .85rem; }
  .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
  #sim-result { margin-top: .6rem; font-size: 1.05rem; }
  #error { color: #b00; min-height: 1.2rem; }
</style>
</head>
<body>
<h1>cohesive</h1>
<div class="muted">Word sense disambiguation and text similarity. Models: <span id="models">…</span></div>
<div id="error" role="alert"></div>

<h2>Word senses</h2>
<textarea id="wsd-text" rows="2">He sat on the bank of the river and watched the water.</textarea>
<button id="wsd-go">Disambiguate</button>
<div id="wsd-text-view"></div>
<div class="muted">model: <span id="wsd-model">–</span></div>
<table id="wsd-table" hidden>
  <thead><tr><th>word</th><th>lemma</th><th>POS</th><th>sense</th><th>gloss</th></tr></thead>
  <tbody id="wsd-rows"></tbody>
</table>

<h2>Compare two texts</h2>
<div class="pair">
  <textarea id="sim-a" rows="3">A man is playing a guitar on stage.</textarea>
  <textarea id="sim-b" rows="3">Someone performs music with a guitar.</textarea>
</div>
<button id="sim-go">Compare</button>
<div id="sim-result">similarity: <b id="sim-score">–</b>,
  paraphrase probability: <b id="sim-para">–</b>
  <span class="muted">(model: <span id="sim-model">–</span>)</span></div>

<script>
"use strict";
const $ = (id) => document.getElementById(id);
const POS = { n: "noun", v: "verb", a: "adjective", r: "adverb" };

async function api(path, body) {
  $("error").textContent = "";
  const res = await fetch(path, body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({ error: "HTTP " + res.status }));
  if (!res.ok) throw new Error(json.error || "HTTP " + res.status);
  return json;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

async function disambiguate() {
  const text = $("wsd-text").value;
  try {
    const out = await api("/v1/wsd", { texts: [text] });
    $("wsd-model").textContent = out.model + " (WordNet " + out.wordnet + ")";
    const view = $("wsd-text-view");
    const rows = $("wsd-rows");
    view.textContent = "";
    rows.textContent = "";
    let at = 0;
    for (const t of out.texts[0].tokens) {
      view.appendChild(document.createTextNode(text.slice(at, t.start)));
      const span = document.createElement("span");
      span.textContent = text.slice(t.start, t.end);
      if (t.senseKey) {
        span.className = "sense";
        span.title = t.senseKey + ": " + t.gloss;
        const tr = document.createElement("tr");
        tr.className = "sense-row";
        cell(tr, t.text);
        cell(tr, t.lemma);
        cell(tr, POS[t.pos] || t.pos);
        const code = document.createElement("code");
        code.textContent = t.senseKey;
        cell(tr, "").appendChild(code);
        cell(tr, t.gloss);
        rows.appendChild(tr);
      }
      view.appendChild(span);
      at = t.end;
    }
    view.appendChild(document.createTextNode(text.slice(at)));
    $("wsd-table").hidden = rows.children.length === 0;
  } catch (e) {
    $("error").textContent = e.message;
  }
}

async function compare() {
  try {
    const out = await api("/v1/similarity", { pairs: [{ a: $("sim-a").value, b: $("sim-b").value }] });
    const r = out.results[0];
    $("sim-score").textContent = r.score.toFixed(3);
    $("sim-para").textContent = r.paraphrase === null ? "n/a (no pair head)" : r.paraphrase.toFixed(3);
    $("sim-model").textContent = out.model;
  } catch (e) {
    $("error").textContent = e.message;
  }
}

$("wsd-go").addEventListener("click", disambiguate);
$("sim-go").addEventListener("click", compare);
api("/v1/models").then((m) => {
  $("models").textContent = m.models.filter((x) => x.default)
    .map((x) => x.task + ": " + x.name).join(", ");
}).catch((e) => { $("models").textContent = e.message; });
</script>
</body>
</html>
`;
