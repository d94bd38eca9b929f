// The door page: camera scanning, keyboard scanners, search, walk-ins, live counts.
// Without JavaScript the same page still works through its plain forms.
const door = document.getElementById("door");
const text = door.dataset;
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const banner = document.getElementById("banner");
const codeInput = document.getElementById("code");

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
  // A dropped connection is retried with the same body (and so the same nonce):
  // the server answers a retry as it answered the first request.
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, options);
      return {status: response.status, data: await response.json()};
    } catch (error) {
      if (attempt >= 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300 * (attempt + 1)));
    }
  }
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

function signal(colour) {
  if (!document.getElementById("beep").checked) return;
  if (navigator.vibrate) navigator.vibrate(colour === "green" ? 80 : [80, 60, 80]);
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = colour === "green" ? 880 : 220;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (colour === "green" ? 0.12 : 0.35));
  } catch (error) { /* no sound on this device */ }
}

function showAnswer(answer) {
  banner.className = `banner banner-${answer.colour}`;
  banner.replaceChildren(element("p", "banner-message", answer.message));
  const registration = answer.registration;
  if (registration) {
    banner.append(element("p", "banner-name", registration.name));
    if (registration.organisation) banner.append(element("p", "banner-org", registration.organisation));
    const ours = registration.event.id === Number(text.eventId);
    if (ours && registration.checked_in_at) {
      const undo = element("button", "undo", text.textUndo);
      undo.type = "button";
      undo.addEventListener("click", () => undoCheckIn(registration.id));
      banner.append(undo);
    }
  }
  signal(answer.colour);
  refreshCounts();
}

function explain(status, data) {
  // The API's reasons are for programs; the door gets a sentence in its own language.
  if (status === 401 || status === 403 || status === 400) return text.textLoggedOut;
  return data.error || String(status);
}

function showError(message) {
  banner.className = "banner banner-red";
  banner.replaceChildren(element("p", "banner-message", message));
  signal("red");
}

async function checkIn(body) {
  try {
    const {status, data} = await send("POST", text.checkinUrl, {...body, nonce: nonce()});
    if (status === 200) showAnswer(data);
    else showError(explain(status, data));
  } catch (error) {
    showError(text.textOffline);
  }
}

async function undoCheckIn(registrationId) {
  const url = text.undoUrl.replace(/\/0\/undo$/, `/${registrationId}/undo`);
  try {
    const {status, data} = await send("POST", url);
    if (status === 200) showAnswer(data);
    else showError(explain(status, data));
  } catch (error) {
    showError(text.textOffline);
  }
}

async function refreshCounts() {
  try {
    const {status, data} = await send("GET", text.countsUrl);
    if (status !== 200) return;
    document.getElementById("count-checked-in").textContent = data.checked_in;
    document.getElementById("count-confirmed").textContent = data.confirmed;
  } catch (error) { /* the next poll will try again */ }
}

// Keyboard-wedge scanners type the code and press Enter into the focused field.
document.getElementById("scan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = codeInput.value.trim();
  codeInput.value = "";
  codeInput.focus();
  if (code) checkIn({code});
});

// Search as you type.
const searchInput = document.getElementById("search-q");
const results = document.getElementById("search-results");
let searchTimer;
async function search() {
  const query = searchInput.value.trim();
  if (query.length < 2) { results.replaceChildren(); return; }
  const {data} = await send("GET", `${text.searchUrl}?q=${encodeURIComponent(query)}`);
  results.replaceChildren();
  if (!data.results.length) results.append(element("li", "", text.textNoResults));
  for (const registration of data.results) {
    const item = element("li");
    const who = element("span", "who");
    who.append(element("strong", "", registration.name));
    if (registration.organisation) who.append(` · ${registration.organisation}`);
    item.append(who);
    if (registration.checked_in_at) {
      item.append(element("small", "", ` ${text.textCheckedIn}`));
    } else if (registration.status === "confirmed") {
      const button = element("button", "", text.textCheckIn);
      button.type = "button";
      button.addEventListener("click", async () => { await checkIn({registration_id: registration.id}); search(); });
      item.append(button);
    }
    results.append(item);
  }
}
searchInput.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });
document.getElementById("search-form").addEventListener("submit", (event) => { event.preventDefault(); search(); });

// Walk-ins: over capacity, ask before letting them in.
const walkInForm = document.getElementById("walk-in-form");
walkInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    name: walkInForm.elements.name.value,
    organisation: walkInForm.elements.organisation.value,
    email: walkInForm.elements.email.value,
  };
  try {
    let {status, data} = await send("POST", text.walkInUrl, body);
    if (status === 409 && data.status === "over_capacity" && window.confirm(text.textOverCapacity)) {
      ({status, data} = await send("POST", text.walkInUrl, {...body, over_capacity: true}));
    }
    if (status === 201) { showAnswer(data); walkInForm.reset(); }
    else if (status !== 409) showError(status === 400 && data.error ? data.error : explain(status, data));
  } catch (error) {
    showError(text.textOffline);
  }
});

setInterval(refreshCounts, 3000);

// The camera, with qr-scanner (served by Podium; it uses BarcodeDetector where the browser has it).
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
  const {default: QrScanner} = await import("./vendor/qr-scanner/qr-scanner.min.js");
  if (!scanner) {
    scanner = new QrScanner(video, onDecode, {returnDetailedScanResult: true, highlightScanRegion: true,
                                              preferredCamera: "environment"});
  }
  try {
    await scanner.start();
  } catch (error) {
    showError(text.textCameraError);
    return;
  }
  cameraSection.hidden = false;
  startButton.hidden = true;
  const cameras = await QrScanner.listCameras(true);
  cameraSelect.replaceChildren(...cameras.map((camera) => {
    const option = element("option", "", camera.label || camera.id);
    option.value = camera.id;
    return option;
  }));
}

if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  startButton.hidden = false;
  startButton.addEventListener("click", startCamera);
  cameraSelect.addEventListener("change", () => scanner && scanner.setCamera(cameraSelect.value));
  document.getElementById("camera-toggle").addEventListener("click", () => {
    scanner.stop();
    cameraSection.hidden = true;
    startButton.hidden = false;
  });
}
