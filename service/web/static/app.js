// The planners' page: our own small script, no libraries. It talks to this server only.
"use strict";

const state = { key: sessionStorage.getItem("riskKey"), horizon: null, asOf: null, rows: [], sort: ["probability", -1],
  district: null };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}),
    Authorization: "Bearer " + state.key } });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (e) { /* not JSON */ }
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return response;
}

function query() {
  const q = new URLSearchParams({ horizon: state.horizon });
  if (state.asOf) q.set("as_of", state.asOf);
  return q.toString();
}

function text(element, value) { element.textContent = value; return element; }
function pct(p) { return (100 * p).toFixed(0) + "%"; }

async function signIn(key) {
  state.key = key;
  const meta = await (await api("/ui/meta")).json();
  sessionStorage.setItem("riskKey", key);
  $("login").hidden = true;
  $("app").hidden = false;
  $("controls").hidden = false;
  $("horizon").replaceChildren(...meta.horizons.map((h) => new Option(h + (h === 1 ? " month" : " months"), h)));
  state.horizon = meta.horizons.includes(3) ? 3 : meta.horizons[0];
  $("horizon").value = state.horizon;
  $("as-of").replaceChildren(...meta.periods.map((p) => new Option(p, p)));
  state.asOf = null;
  await refresh();
}

async function refresh() {
  await Promise.all([drawMap(), drawTable(), drawAlerts()]);
  if (state.district) await showDistrict(state.district);
}

async function drawMap() {
  const svg = await (await api("/ui/map.svg?" + query())).text();
  $("map").innerHTML = svg;  // SVG made by our server from its own data
  for (const shape of $("map").querySelectorAll("path.district")) {
    const label = () => shape.dataset.name + ": " + (shape.dataset.probability
      ? pct(Number(shape.dataset.probability)) + " (" + shape.dataset.band + ")" : "no score");
    shape.addEventListener("mouseenter", () => text($("hover"), label()));
    shape.addEventListener("focus", () => text($("hover"), label()));
    shape.addEventListener("click", () => showDistrict(shape.dataset.id));
    shape.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") showDistrict(shape.dataset.id); });
  }
}

async function drawTable() {
  const data = await (await api("/v1/risk?limit=1000&" + query())).json();
  state.rows = data.items;
  renderTable();
}

function renderTable() {
  const [key, direction] = state.sort;
  const rows = [...state.rows].sort((a, b) => (a[key] > b[key] ? 1 : a[key] < b[key] ? -1 : 0) * direction);
  $("ranking").tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    const link = document.createElement("button");
    link.type = "button";
    link.className = "link";
    text(link, r.district_name).addEventListener("click", () => showDistrict(r.district_id));
    const name = document.createElement("td");
    name.append(link);
    tr.append(name, text(document.createElement("td"), r.region || ""),
      text(document.createElement("td"), pct(r.probability) + " " + r.band));
    return tr;
  }));
}

async function showDistrict(id) {
  state.district = id;
  const r = await (await api(`/v1/districts/${encodeURIComponent(id)}/risk?explain=true&` + query())).json();
  $("district").hidden = false;
  text($("district-title"), r.district_name);
  text($("district-score"), `${pct(r.probability)} chance of fatal violence in the next ${r.horizon} month(s): `
    + `${r.band} (as of ${r.as_of}, model version ${r.model_version}).`);
  const [history, drivers] = await Promise.all([
    api(`/ui/districts/${encodeURIComponent(id)}/history.svg?horizon=${state.horizon}`).then((x) => x.text()),
    api(`/ui/districts/${encodeURIComponent(id)}/drivers.svg?` + query()).then((x) => x.text())]);
  $("history").innerHTML = history;
  $("drivers").innerHTML = drivers;
  $("families").replaceChildren(...Object.entries(r.explanation.families).map(([family, value]) =>
    text(document.createElement("li"), `${family}: ${value > 0.005 ? "raises" : value < -0.005 ? "lowers" : "no effect"} (${value.toFixed(2)})`)));
  $("events").replaceChildren(...r.explanation.recent_events.map((e) => text(document.createElement("li"),
    `${e.date_start} ${e.category}, ${e.fatalities} dead (${e.actors.join(", ")}) [${e.source} ${e.id}]`)));
  if (!r.explanation.recent_events.length) $("events").append(text(document.createElement("li"), "none recently"));
  $("district").scrollIntoView({ behavior: "smooth", block: "start" });
}

async function drawAlerts() {
  const data = await (await api("/v1/alerts?state=open&limit=50")).json();
  const items = data.alerts.map((a) => {
    const li = document.createElement("li");
    li.append(text(document.createElement("span"),
      `${a.as_of} ${a.district_name}: ${pct(a.probability)} over ${a.horizon} month(s). ${a.top_drivers} `));
    const ack = text(document.createElement("button"), "Acknowledge");
    ack.type = "button";
    ack.addEventListener("click", async () => {
      try {
        await api(`/v1/alerts/${a.id}/ack`, { method: "POST" });
        li.remove();
      } catch (error) {
        text(ack, error.status === 403 ? "Your role cannot acknowledge" : "Failed: " + error.message);
      }
    });
    li.append(ack);
    return li;
  });
  $("alert-list").replaceChildren(...(items.length ? items : [text(document.createElement("li"), "No open alerts.")]));
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signIn($("key").value.trim());
    text($("login-error"), "");
  } catch (error) {
    text($("login-error"), "Sign-in failed: " + error.message);
  }
});
$("horizon").addEventListener("change", () => { state.horizon = Number($("horizon").value); refresh(); });
$("as-of").addEventListener("change", () => {
  state.asOf = $("as-of").selectedIndex === 0 ? null : $("as-of").value;
  refresh();
});
$("sign-out").addEventListener("click", () => { sessionStorage.removeItem("riskKey"); location.reload(); });
for (const button of document.querySelectorAll("[data-sort]")) {
  button.addEventListener("click", () => {
    const key = button.dataset.sort;
    state.sort = [key, state.sort[0] === key ? -state.sort[1] : (key === "probability" ? -1 : 1)];
    renderTable();
  });
}
if (state.key) signIn(state.key).catch(() => { sessionStorage.removeItem("riskKey"); state.key = null; });
