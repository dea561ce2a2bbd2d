// The counter page: camera frames (or an uploaded photo) go to /scan; the server reads
// the QR code and verifies. Online wallets' answers arrive through /last. The clerk's
// token came in the address (?k=…) and is now a SameSite=Strict cookie, which every
// request below carries; it is taken out of the address bar (and the history).
"use strict";
const params = new URLSearchParams(location.search);
const withCamera = params.has("camera");
if (params.has("k")) history.replaceState(null, "", location.pathname + (withCamera ? "?camera" : ""));
const $ = (id) => document.getElementById(id);
let busy = false;
let lastSeq = 0;

function show(v) {
  const box = $("verdict");
  box.className = v.valid ? "valid" : "invalid";
  $("word").textContent = v.valid ? "VALID" : "NOT VALID";
  $("reason").textContent = v.valid ? (v.credential || v.vct || "") : (v.reason || "");
  const dl = $("claims");
  dl.replaceChildren();
  for (const c of v.shown || []) {
    const dt = document.createElement("dt");
    dt.textContent = c.label;
    const dd = document.createElement("dd");
    dd.textContent = c.value === true ? "yes" : c.value === false ? "no" : String(c.value);
    dl.append(dt, dd);
  }
  $("ledger").textContent = v.ledger && v.ledger.checkpoint_time ? "Ledger data as of " + v.ledger.checkpoint_time : "";
  showRecord(v);
  loadRequest();
}

// The service record offered after a valid verdict (--issuer-db): its QR code and PIN.
function showRecord(v) {
  const box = $("record");
  const r = v.service_record;
  if (!r && !v.service_record_error) { box.hidden = true; return; }
  box.hidden = false;
  if (!r) {
    $("record-qr").replaceChildren();
    $("record-pin").textContent = "";
    $("record-info").textContent = "No service record: " + v.service_record_error;
    return;
  }
  const img = document.createElement("img");
  img.alt = "Service record offer QR code";
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(r.svg);
  $("record-qr").replaceChildren(img);
  $("record-pin").textContent = r.tx_code ? "PIN " + r.tx_code : "";
  $("record-info").textContent = r.reference + " — valid until " + r.expires_at;
}

async function post(body) {
  if (busy) return;
  busy = true;
  try {
    const r = await fetch("/scan", { method: "POST", body });
    const v = await r.json();
    if (v.status === "verdict") show(v);
    else if (v.status === "partial") $("status").textContent = v.reason;
  } catch (e) {
    $("status").textContent = "Cannot reach the counter service.";
  } finally {
    busy = false;
  }
}

async function grab(video, canvas) {
  if (busy || !video.videoWidth) return;
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  const blob = await new Promise((r) => canvas.toBlob(r, "image/png"));
  if (blob) await post(blob);
}

async function startCamera() {
  const video = $("video");
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
    await video.play();
    $("status").textContent = "Camera on: hold the code in front of it.";
    const canvas = document.createElement("canvas");
    setInterval(() => grab(video, canvas), 700);
  } catch (e) {
    $("status").textContent = "No camera: upload a photo instead.";
  }
}

async function loadRequest() {
  try {
    const r = await (await fetch("/request")).json();
    const box = $("request");
    box.replaceChildren();
    const img = document.createElement("img");
    img.alt = "Request QR code";
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(r.svg);
    img.style.width = "100%";
    img.style.maxWidth = "320px";
    box.append(img);
    $("request-url").textContent = r.url;
  } catch (e) { /* the server is restarting */ }
}

async function poll() {
  try {
    const r = await (await fetch("/last")).json();
    if (r.seq !== lastSeq) {
      lastSeq = r.seq;
      if (r.verdict && r.verdict.status === "verdict") show(r.verdict);
    }
  } catch (e) { /* ignore */ }
}

$("camera").addEventListener("click", startCamera);
$("photo").addEventListener("change", (e) => {
  const f = e.target.files && e.target.files[0];
  if (f) post(f);
});
loadRequest();
setInterval(poll, 1000);
if (withCamera) startCamera();
