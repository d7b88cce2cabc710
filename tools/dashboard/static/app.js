// SPDX-License-Identifier: MIT
// The zvm dashboard page: VMs with lifecycle buttons, cores, devices, live
// charts (Chart.js, from Debian's libjs-chart.js), built-in tests, image
// upload and events. Requests go to the server (/api/request), which
// forwards them to zvm; statistics and events arrive on /ws every second.
"use strict";

const POINTS = 60;              // seconds of history in the charts
const COLORS = ["#1a73e8", "#e8710a", "#188038", "#d93025", "#9334e6", "#12b5cb", "#f9ab00",
                "#5f6368"];
let selected = null;            // VM id whose devices are shown
let prev = null;                // the previous stats, for rates

function $(sel) { return document.querySelector(sel); }

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// A request line with words quoted the way zvm's shell parser reads them.
function quote(words) {
  return words.map((w) => {
    w = String(w);
    if (w && !/[\s"'\\]/.test(w)) return w;
    return '"' + w.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }).join(" ");
}

async function api(words, timeout) {
  const res = await fetch("/api/request", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ line: quote(words), timeout: timeout || 30 }),
  });
  return res.json();
}

function say(text, error) {
  const m = $("#message");
  m.textContent = text;
  m.className = error ? "error" : "";
}

// ---- VMs ----

function preempted(vm) {
  return (vm.vcpu || []).reduce((n, c) => n + c.preempted, 0);
}

function actionButton(vm, action) {
  const b = el("button", action);
  b.dataset.action = action;
  b.dataset.id = vm.id;
  b.addEventListener("click", async (ev) => {
    ev.stopPropagation();
    say(`${action}: VM ${vm.id}…`);
    const r = await api([action, vm.id]);
    say(r.ok ? `${action}: VM ${vm.id} ${r.state}` : `${action}: ${r.error}`, !r.ok);
    await refreshVms();
  });
  return b;
}

const VM_COLUMNS = ["id", "name", "type", "state", "vcpus", "cpus", "mem", "exits", "preempted"];

function vmCells(vm) {
  return [vm.id, vm.name, vm.type, vm.state, vm.vcpus, vm.cpus.join(","), vm.mem_mb, vm.exits,
          vm.vcpu ? preempted(vm) : ""];
}

function vmRow(vm) {
  const tr = el("tr");
  tr.id = "vm-" + vm.id;
  tr.dataset.name = vm.name;
  VM_COLUMNS.forEach((c) => tr.appendChild(el("td", "", c)));
  const td = el("td");
  ["run", "pause", "reset", "delete"].forEach((a) => td.appendChild(actionButton(vm, a)));
  tr.appendChild(td);
  tr.addEventListener("click", () => { selected = vm.id; showDevices(); });
  return tr;
}

// Update the table in place (rows stay put under the pointer), adding and removing rows.
function renderVms(vms) {
  const body = $("#vms tbody");
  const keep = new Set();
  vms.forEach((vm) => {
    let tr = body.querySelector(`tr[id="vm-${vm.id}"][data-name="${vm.name}"]`);
    if (!tr) tr = body.appendChild(vmRow(vm));
    keep.add(tr);
    vmCells(vm).forEach((v, i) => {
      const td = tr.cells[i];
      if (td.textContent !== String(v)) td.textContent = v;
    });
    tr.cells[3].className = "state state-" + vm.state;
    tr.classList.toggle("selected", vm.id === selected);
  });
  Array.from(body.rows).forEach((tr) => { if (!keep.has(tr)) tr.remove(); });
  if (!vms.length) {
    const td = el("td", "(no VMs: create one below)");
    td.colSpan = 10;
    body.appendChild(el("tr")).appendChild(td);
  }
}

async function refreshVms() {
  const r = await api(["vms"]);
  if (r.ok) renderVms(r.vms);
}

async function showDevices() {
  const body = $("#devices tbody");
  if (selected === null) return;
  const r = await api(["info", selected]);
  if (!r.ok) { body.replaceChildren(); $("#dev-vm").textContent = "(select a VM)"; return; }
  $("#dev-vm").textContent = `VM ${r.vm.id} (${r.vm.name})`;
  body.replaceChildren(...r.vm.devices.map((d) => {
    const tr = el("tr");
    const detail = d.kind === "shm"
      ? `${d.name}: ${d.kib} KiB ${d.access}, ${d.doorbells} doorbells` : `SPI ${d.spi}`;
    [d.kind, d.how, d.base, detail].forEach((v) => tr.appendChild(el("td", v)));
    return tr;
  }));
  document.querySelectorAll("#vms tbody tr").forEach((tr) =>
    tr.classList.toggle("selected", tr.id === "vm-" + selected));
}

// ---- cores and charts ----

function renderCores(stats) {
  const placed = {};
  stats.vms.forEach((vm) => (vm.vcpu || []).forEach((c) => {
    (placed[c.cpu] = placed[c.cpu] || []).push(`${vm.name}/vcpu${c.vcpu}`);
  }));
  $("#cores tbody").replaceChildren(...stats.cpus.map((c) => {
    const tr = el("tr");
    [c.cpu, c.online ? "online" : "OFFLINE", c.load_pct + "%", c.current,
     (placed[c.cpu] || []).join(", ") || "host pool"].forEach((v) => tr.appendChild(el("td", v)));
    return tr;
  }));
}

function lineChart(id) {
  return new Chart($(id), {
    type: "line",
    data: { labels: [], datasets: [] },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } },
               elements: { point: { radius: 0 } } },
  });
}

const charts = {};

// Append one point per series (name -> value) to a chart, keeping POINTS.
function push(chart, label, series) {
  chart.data.labels.push(label);
  Object.entries(series).forEach(([name, v]) => {
    let ds = chart.data.datasets.find((d) => d.label === name);
    if (!ds) {
      const color = COLORS[chart.data.datasets.length % COLORS.length];
      ds = { label: name, data: new Array(chart.data.labels.length - 1).fill(null),
             borderColor: color, backgroundColor: color };
      chart.data.datasets.push(ds);
    }
    ds.data.push(v);
  });
  chart.data.datasets.forEach((d) => { while (d.data.length < chart.data.labels.length) d.data.push(null); });
  if (chart.data.labels.length > POINTS) {
    chart.data.labels.shift();
    chart.data.datasets.forEach((d) => d.data.shift());
  }
  chart.update();
}

// Growth of a counter; a counter that went down was reset (zvm reset): from 0.
function delta(now, before) {
  return now >= before ? now - before : now;
}

// Sum of f over a VM's virtio queues.
function virtioSum(vm, f) {
  return (vm.virtio || []).reduce((n, d) => n + d.queues.reduce((m, q) => m + f(q), 0), 0);
}

// Doorbells per region (a region shared by two VMs is listed by both: once here).
function doorbells(stats) {
  const out = {};
  stats.vms.forEach((vm) => (vm.shm || []).forEach((m) => { out[m.name] = m.doorbells; }));
  return out;
}

function rates(stats) {
  const out = { exits: {}, irq: {}, rt: {}, steal: {}, virtio: {}, shm: { "all regions": 0 } };
  const dt = prev ? (stats.uptime_ms - prev.uptime_ms) / 1000 : 0;
  stats.vms.forEach((vm) => {
    const old = prev && prev.vms.find((v) => v.id === vm.id && v.name === vm.name);
    const key = `${vm.id} ${vm.name}`;
    const ok = old && dt > 0;
    out.exits[key] = ok ? delta(vm.exits, old.exits) / dt : 0;
    out.irq[key] = ok ? delta(vm.virqs, old.virqs) / dt : 0;
    out.rt[key] = old ? delta(preempted(vm), preempted(old)) : 0;
    out.virtio[key] = ok ? delta(virtioSum(vm, (q) => q.requests),
                                 virtioSum(old, (q) => q.requests)) / dt : 0;
    vm.vcpu.forEach((c) => {
      const was = ok && old.vcpu.find((o) => o.vcpu === c.vcpu);
      out.steal[`${key}/vcpu${c.vcpu}`] = was ? delta(c.steal_us, was.steal_us) / 1000 / dt : 0;
    });
  });
  const now = doorbells(stats), before = prev ? doorbells(prev) : {};
  Object.entries(now).forEach(([name, n]) => {
    const rate = dt > 0 && name in before ? delta(n, before[name]) / dt : 0;
    out.shm[name] = rate;
    out.shm["all regions"] += rate;
  });
  return out;
}

// Each VM's guest clock behind the host counter, in ms (its pauses; stats' "time").
function timeBehind(stats) {
  const out = {};
  stats.vms.forEach((vm) => { out[`${vm.id} ${vm.name}`] = vm.time.behind_us / 1000; });
  return out;
}

function onStats(stats) {
  if (!stats.ok) { $("#link").textContent = "zvm: " + stats.error; $("#link").className = "down"; return; }
  $("#link").textContent = "connected";
  $("#link").className = "up";
  $("#uptime").textContent = `up ${(stats.uptime_ms / 1000).toFixed(0)} s`;
  renderVms(stats.vms);
  renderCores(stats);
  const label = (stats.uptime_ms / 1000).toFixed(0);
  const cpu = {};
  stats.cpus.forEach((c) => { cpu["cpu" + c.cpu] = c.load_pct; });
  push(charts.cpu, label, cpu);
  const r = rates(stats);
  push(charts.exits, label, r.exits);
  push(charts.irq, label, r.irq);
  push(charts.rt, label, r.rt);
  push(charts.steal, label, r.steal);
  push(charts.virtio, label, r.virtio);
  push(charts.shm, label, r.shm);
  push(charts.time, label, timeBehind(stats));
  prev = stats;
}

function onEvents(events) {
  const list = $("#events");
  events.filter((e) => e.event !== "log").forEach((e) => {
    const vm = e.vm ? ` ${e.vm.name} ${e.vm.state}` : "";
    list.insertBefore(el("li", `${e.event} VM ${e.id}${vm}`), list.firstChild);
  });
  while (list.children.length > 50) list.removeChild(list.lastChild);
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    onStats(msg.stats);
    onEvents(msg.events);
  };
  ws.onclose = () => {
    $("#link").textContent = "dashboard server gone: retrying";
    $("#link").className = "down";
    setTimeout(connect, 2000);
  };
}

// ---- forms and tests ----

async function create(ev) {
  ev.preventDefault();
  const words = ["new", "-t", $("#template").value];
  if ($("#new-name").value) words.push("-n", $("#new-name").value);
  if ($("#new-args").value) words.push("--args", $("#new-args").value);
  const r = await api(words);
  say(r.ok ? `VM ${r.vm.id} created: ${r.vm.name}` : r.error, !r.ok);
  await refreshVms();
}

async function upload(ev) {
  ev.preventDefault();
  const form = new FormData();
  const image = $("#up-image").files[0], config = $("#up-config").files[0];
  if (image) form.append("image", image, image.name);
  if (config) form.append("config", config, config.name);
  if ($("#up-image-name").value) form.append("image_name", $("#up-image-name").value);
  say("pushing…");
  const r = await (await fetch("/api/upload", { method: "POST", body: form })).json();
  say(r.ok ? `VM ${r.vm.id} created: ${r.vm.name} from your image` : r.error, !r.ok);
  await refreshVms();
}

async function runTest(ev) {
  const name = ev.target.dataset.test;
  const words = ["test", name];
  if (name === "ktest" && $("#ktest-filter").value) words.push($("#ktest-filter").value);
  say(`test ${name}: running…`);
  const r = await api(words, 600);
  if (!r.ok) { say(r.error, true); return; }
  say(`test ${name}: ${r.passed} passed, ${r.failed} failed`, r.failed > 0);
  $("#test-results tbody").replaceChildren(...r.steps.map((s) => {
    const tr = el("tr");
    tr.appendChild(el("td", name));
    tr.appendChild(el("td", s.name));
    tr.appendChild(el("td", s.pass ? "PASS" : "FAIL", s.pass ? "pass" : "fail"));
    tr.appendChild(el("td", s.detail));
    return tr;
  }));
}

async function init() {
  charts.cpu = lineChart("#chart-cpu");
  charts.exits = lineChart("#chart-exits");
  charts.irq = lineChart("#chart-irq");
  charts.rt = lineChart("#chart-rt");
  charts.steal = lineChart("#chart-steal");
  charts.virtio = lineChart("#chart-virtio");
  charts.shm = lineChart("#chart-shm");
  charts.time = lineChart("#chart-time");
  const hello = await api(["ping"]);
  if (!hello.ok) say(hello.error, true);
  const t = await api(["templates"]);
  (t.ok ? t.templates : []).forEach((n) => $("#template").appendChild(el("option", n)));
  $("#create").addEventListener("submit", create);
  $("#upload").addEventListener("submit", upload);
  const tests = await api(["tests"]);
  (tests.ok ? tests.tests : []).forEach((name) => {
    const b = el("button", name, "test");
    b.dataset.test = name;
    b.addEventListener("click", runTest);
    $("#test-buttons").appendChild(b);
  });
  await refreshVms();
  connect();
}

init();
