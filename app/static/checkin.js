// The door page: camera scanning, keyboard scanners, search, walk-ins, undo, live counts.
// Without JavaScript the same page works through its plain forms (each posts and lands at
// #banner); here every form's submit is sent to the JSON API instead, and the page stays.
// After every action the answer is shown in #banner, which is brought into view, and the
// search list is fetched again, so that it never shows a state that is no longer true.
const door = document.getElementById("door");
const text = door.dataset;
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const banner = document.getElementById("banner");
const codeInput = document.getElementById("code");
const searchInput = document.getElementById("search-q");
const results = document.getElementById("search-results");
const walkInForm = document.getElementById("walk-in-form");
const overCapacity = document.getElementById("over-capacity");

// --- talking to Podium -------------------------------------------------------------------

async function send(method, url, body) {
  const options = {
    method,
    credentials: "same-origin",
    headers: {Accept: "application/json", "X-CSRFToken": csrfToken},
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  // A dropped connection is retried with the same body (and so the same nonce): the server
  // answers a retry as it answered the first request. An answer, whatever it says, is final.
  let response;
  for (let attempt = 0; ; attempt++) {
    try {
      response = await fetch(url, options);
      break;
    } catch (error) {
      if (attempt >= 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300 * (attempt + 1)));
    }
  }
  let data = {};
  try { data = await response.json(); } catch (error) { /* not JSON: the status says enough */ }
  return {status: response.status, data};
}

function nonce() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content) node.textContent = content;
  return node;
}

// --- the answer --------------------------------------------------------------------------

function signal(colour) {
  if (!document.getElementById("beep").checked) return;
  const good = colour === "green" || colour === "neutral";
  if (navigator.vibrate) navigator.vibrate(good ? 80 : [80, 60, 80]);
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = good ? 880 : 220;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (good ? 0.12 : 0.35));
  } catch (error) { /* no sound on this device */ }
}

// The answer must be where the organiser looks: on a phone the list or the form they used
// may be far below it.
function reveal() {
  const box = banner.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) banner.scrollIntoView({block: "start"});
}

function undoForm(registrationId) {
  const form = element("form");
  form.method = "post";
  form.dataset.action = "undo";
  form.dataset.registrationId = registrationId;
  const button = element("button", "undo", text.textUndo);
  button.type = "submit";
  form.append(button);
  return form;
}

function showAnswer(answer) {
  banner.className = `banner banner-${answer.colour} banner--${answer.status}`;
  banner.replaceChildren(element("p", "banner-message", answer.headline));
  const registration = answer.registration;
  if (registration) {
    banner.append(element("p", "banner-name", registration.name));
    if (registration.organisation) banner.append(element("p", "banner-org", registration.organisation));
  }
  if (answer.detail) banner.append(element("p", "banner-detail", answer.detail));
  const ours = registration && registration.event.id === Number(text.eventId);
  if (ours && registration.checked_in_at && ["checked_in", "already_checked_in"].includes(answer.status)) {
    banner.append(undoForm(registration.id));
  }
  reveal();
  signal(answer.colour);
  refreshCounts({listToo: false});
  refreshFound();
}

// A problem rather than an answer about a guest: no connection, logged out, no camera; or a
// walk-in that was refused (then `headline` says that nobody was let in).
function showError(message, headline = null) {
  banner.className = "banner banner-red banner--error";
  banner.replaceChildren(element("p", "banner-message", headline || message));
  if (headline) banner.append(element("p", "banner-detail", message));
  reveal();
  signal("red");
}

function explain(status, data) {
  // The API's reasons are for programs; the door gets a sentence in its own language.
  if (status === 401 || status === 403 || status === 400) return text.textLoggedOut;
  return data.error || String(status);
}

// --- the actions -------------------------------------------------------------------------

async function act(request) {
  try {
    const {status, data} = await request();
    if (status === 200 || status === 201) showAnswer(data);
    else if (status === 422) showError(data.error, text.textRefused);
    else if (status !== null) showError(explain(status, data));
  } catch (error) {
    showError(text.textOffline);
  }
}

function checkIn(body) {
  return act(() => send("POST", text.checkinUrl, {...body, nonce: nonce()}));
}

function undoCheckIn(registrationId) {
  const url = text.undoUrl.replace(/\/0\/undo$/, `/${registrationId}/undo`);
  return act(() => send("POST", url));
}

// Over capacity the page asks in its own dialog; without JavaScript the form's checkbox asks.
function askOverCapacity(name, counts) {
  document.getElementById("over-capacity-name").textContent = name;
  const line = document.getElementById("over-capacity-counts");
  line.textContent = counts && counts.capacity !== null
    ? line.dataset.template.replace("{confirmed}", counts.confirmed).replace("{capacity}", counts.capacity) : "";
  overCapacity.returnValue = "";
  overCapacity.showModal();
  return new Promise((resolve) => {
    overCapacity.addEventListener("close", () => resolve(overCapacity.returnValue === "confirm"), {once: true});
  });
}

function walkIn(form) {
  const body = {
    name: form.elements.name.value,
    organisation: form.elements.organisation.value,
    email: form.elements.email.value,
  };
  return act(async () => {
    let answer = await send("POST", text.walkInUrl, body);
    if (answer.status === 409 && answer.data.status === "over_capacity") {
      if (!await askOverCapacity(body.name, answer.data.counts)) return {status: null};
      answer = await send("POST", text.walkInUrl, {...body, over_capacity: true});
    }
    if (answer.status === 201 && form === walkInForm) form.reset();
    if (answer.status === 400 && answer.data.error) return {status: 422, data: answer.data};
    return answer;
  });
}

door.addEventListener("submit", async (event) => {
  const form = event.target;
  const action = form.dataset.action;
  if (!action) return;
  event.preventDefault();
  if (action === "scan") {
    // Keyboard-wedge scanners type the code and press Enter: ready for the next at once.
    const code = codeInput.value.trim();
    codeInput.value = "";
    codeInput.focus();
    if (code) await checkIn({code});
    return;
  }
  const buttons = form.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  if (action === "check-in") await checkIn({registration_id: Number(form.elements.registration_id.value)});
  else if (action === "undo") await undoCheckIn(Number(form.dataset.registrationId));
  else if (action === "walk-in") await walkIn(form);
  buttons.forEach((button) => { button.disabled = false; });
  if (!door.contains(document.activeElement) || document.activeElement === document.body) {
    banner.focus({preventScroll: true});
  }
});

// --- the live count and the search list ---------------------------------------------------

let lastCheckedIn = null;
async function refreshCounts({listToo = true} = {}) {
  try {
    const {status, data} = await send("GET", text.countsUrl);
    if (status !== 200) return;
    document.getElementById("count-checked-in").textContent = data.checked_in;
    document.getElementById("count-confirmed").textContent = data.confirmed;
    // Another device let someone in: the list must say so too.
    if (listToo && lastCheckedIn !== null && lastCheckedIn !== data.checked_in) refreshFound();
    lastCheckedIn = data.checked_in;
  } catch (error) { /* the next poll will try again */ }
}

let searchRound = 0;
async function refreshFound() {
  const query = searchInput.value.trim();
  const round = ++searchRound;
  if (!query) { results.replaceChildren(); return; }
  try {
    const response = await fetch(`${text.foundUrl}?q=${encodeURIComponent(query)}`, {credentials: "same-origin"});
    if (round !== searchRound) return;  // a newer search is on its way
    if (response.redirected || !response.ok) { showError(text.textLoggedOut); return; }
    results.innerHTML = await response.text();  // Podium's own escaped HTML, the same as without JavaScript
  } catch (error) { /* the next action or keystroke will try again */ }
}

let searchTimer;
searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { refreshFound(); remember(); }, 200);
});
document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  refreshFound();
  remember();
});

// --- modes: one way of finding the guest at a time ------------------------------------------

const tabs = [...document.querySelectorAll(".door-modes [data-mode]")];
const panels = [...document.querySelectorAll(".door-mode")];

function remember() {
  const url = new URL(window.location.href);
  url.hash = "";
  url.searchParams.set("mode", door.dataset.mode);
  if (searchInput.value.trim()) url.searchParams.set("q", searchInput.value.trim());
  else url.searchParams.delete("q");
  window.history.replaceState(null, "", url);
  try { localStorage.setItem("podium-door-mode", door.dataset.mode); } catch (error) { /* private mode */ }
}

function showMode(mode, {focus = false} = {}) {
  door.dataset.mode = mode;
  for (const tab of tabs) {
    if (tab.dataset.mode === mode) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  for (const panel of panels) panel.hidden = panel.dataset.mode !== mode;
  if (mode !== "camera") stopCamera();
  if (focus) {
    const first = {code: codeInput, search: searchInput, "walk-in": walkInForm.elements.name}[mode];
    if (first) first.focus();
  }
}

for (const tab of tabs) {
  tab.addEventListener("click", (event) => {
    event.preventDefault();
    showMode(tab.dataset.mode, {focus: true});
    remember();
    if (tab.dataset.mode === "camera" && cameraUsable) startCamera();
  });
}

// --- the camera, with qr-scanner (served by Podium; it uses BarcodeDetector where there is one) ---

const cameraUsable = Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
const startButton = document.getElementById("camera-start");
const cameraSection = document.getElementById("camera-section");
const video = document.getElementById("camera");
const cameraSelect = document.getElementById("camera-select");
let scanner;
let lastCode = "";
let lastCodeAt = 0;

function onDecode(result) {
  const code = result.data;
  const now = Date.now();
  // The same code stays in view for a while: one scan per code every few seconds.
  if (code === lastCode && now - lastCodeAt < 4000) return;
  lastCode = code;
  lastCodeAt = now;
  checkIn({code});
}

async function startCamera() {
  startButton.hidden = true;
  const {default: QrScanner} = await import("./vendor/qr-scanner/qr-scanner.min.js");
  if (!scanner) {
    // Our own frame around the scan region: qr-scanner's would bring an inline style, which the
    // page's Content-Security-Policy refuses.
    scanner = new QrScanner(video, onDecode, {returnDetailedScanResult: true, highlightScanRegion: true,
                                              overlay: document.getElementById("scan-region"),
                                              preferredCamera: "environment"});
  }
  try {
    await scanner.start();
  } catch (error) {
    startButton.hidden = false;
    showError(text.textCameraError);
    return;
  }
  if (door.dataset.mode !== "camera") { scanner.stop(); return; }  // switched away meanwhile
  cameraSection.hidden = false;
  const cameras = await QrScanner.listCameras(true);
  cameraSelect.replaceChildren(...cameras.map((camera) => {
    const option = element("option", "", camera.label || camera.id);
    option.value = camera.id;
    return option;
  }));
}

function stopCamera() {
  if (scanner) scanner.stop();
  cameraSection.hidden = true;
  startButton.hidden = !cameraUsable;
}

// --- start -----------------------------------------------------------------------------------

document.getElementById("door-options").hidden = false;
document.getElementById("tab-camera").hidden = false;
if (cameraUsable) {
  document.getElementById("camera-unavailable").hidden = true;
  startButton.hidden = false;
  startButton.addEventListener("click", startCamera);
  cameraSelect.addEventListener("change", () => scanner && scanner.setCamera(cameraSelect.value));
  document.getElementById("camera-toggle").addEventListener("click", stopCamera);
}
// This device's way of working the door, unless the address names one.
const remembered = (() => { try { return localStorage.getItem("podium-door-mode"); } catch (error) { return null; } })();
if (!new URL(window.location.href).searchParams.has("mode") && tabs.some((tab) => tab.dataset.mode === remembered)) {
  showMode(remembered, {focus: remembered !== "code"});
}
refreshCounts();
setInterval(() => { if (document.visibilityState === "visible") refreshCounts(); }, 3000);
