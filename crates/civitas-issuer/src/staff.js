// The issuer's staff page: make an offer (its QR code and PIN are shown here only),
// list open offers, approve or reject deferred ones. The staff secret came in the
// address (?k=…) and is now a SameSite=Strict cookie every request below carries; it
// is taken out of the address bar (and the history).
"use strict";
if (new URLSearchParams(location.search).has("k")) history.replaceState(null, "", location.pathname);
const $ = (id) => document.getElementById(id);
const SAMPLES = {
  "pid": { given_name: "Mei-Ling", family_name: "Chen", birthdate: "1958-03-14", age_over_18: true, nationality: "TW", personal_number: "A123456789" },
  "medical": { blood_type: "O+" },
  "service-record": { service: "Household registration transcript", agency: "Household Registration Office", requested_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"), outcome: "completed", reference: "HR-0001" },
};

function sample() {
  $("claims").value = JSON.stringify(SAMPLES[$("type").value] || {}, null, 2);
  $("deferred").checked = $("type").value === "medical";
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const v = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(v.error_description || v.error || ("HTTP " + r.status));
  return v;
}

async function make(e) {
  e.preventDefault();
  $("error").textContent = "";
  let claims;
  try { claims = JSON.parse($("claims").value); } catch (err) {
    $("error").textContent = "The claims are not valid JSON: " + err.message;
    return;
  }
  try {
    const v = await call("POST", "/staff/offer", {
      type: $("type").value,
      claims,
      expires_in: Number($("expires").value) || 600,
      pin: $("pin-on").checked,
      deferred: $("deferred").checked,
    });
    const img = document.createElement("img");
    img.alt = "Credential offer QR code";
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(v.svg);
    $("qr").replaceChildren(img);
    $("pin").textContent = v.tx_code ? "PIN " + v.tx_code : "(no PIN)";
    $("offer-info").textContent = v.offer_id + " — valid until " + new Date(v.expires_at * 1000).toLocaleString() + " — " + v.offer_uri;
    loadPending();
  } catch (err) {
    $("error").textContent = err.message;
  }
}

async function decide(kind, id) {
  $("error").textContent = "";
  try {
    await call("POST", "/staff/" + kind, { offer_id: id });
  } catch (err) {
    $("error").textContent = err.message;
  }
  loadPending();
}

async function loadPending() {
  try {
    const list = await call("GET", "/staff/pending");
    const body = $("pending");
    body.replaceChildren();
    for (const o of list) {
      const tr = document.createElement("tr");
      for (const t of [o.offer_id, o.configuration_id, o.state === "deferred" ? "awaiting approval" : o.state]) {
        const td = document.createElement("td");
        td.textContent = t;
        tr.append(td);
      }
      const td = document.createElement("td");
      if (o.state === "deferred") {
        for (const [kind, label] of [["approve", "Approve"], ["reject", "Reject"]]) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = kind === "reject" ? "secondary" : "";
          b.textContent = label;
          b.setAttribute("aria-label", label + " " + o.offer_id);
          b.addEventListener("click", () => decide(kind, o.offer_id));
          td.append(b, " ");
        }
      }
      tr.append(td);
      body.append(tr);
    }
  } catch (err) {
    $("error").textContent = err.message;
  }
}

$("type").addEventListener("change", sample);
$("form").addEventListener("submit", make);
$("refresh").addEventListener("click", loadPending);
sample();
loadPending();
