// Drives the pages that show a credential offer, in headless Debian Chromium:
//   node offer_pages.mjs staff URL QR.png     the issuer's staff page (URL: the
//                                             `staff http://…/staff?k=SECRET` address):
//                                             makes a PID offer with the sample claims
//   node offer_pages.mjs counter URL IMAGE QR.png  the counter page (the clerk's
//                                             address): uploads the wallet's code and
//                                             waits for the service record's offer
// Saves the offer's QR code as shown (a screenshot) to QR.png and prints
// {"pin", "info", "address", "pending"} (the counter: {"word", "pin", "info"}).
import { chromium } from "playwright-core";

const [mode, url, a, b] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(url);
  if (mode === "staff") {
    await page.waitForFunction(() => document.getElementById("claims").value.includes("given_name"));
    await page.click("button[type=submit]");
    await page.waitForFunction(() => document.getElementById("pin").textContent.startsWith("PIN "), null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelectorAll("#pending tr").length > 0, null, { timeout: 30000 });
    await page.locator("#qr img").screenshot({ path: a });
    console.log(JSON.stringify({
      pin: document_text(await page.textContent("#pin")),
      info: await page.textContent("#offer-info"),
      address: page.url(),
      pending: await page.locator("#pending tr").count(),
      error: await page.textContent("#error"),
    }));
  } else {
    await page.setInputFiles("#photo", a);
    await page.waitForFunction(() => {
      const w = document.getElementById("word").textContent;
      return w === "NOT VALID" || (w === "VALID" && !document.getElementById("record").hidden);
    }, null, { timeout: 45000 });
    const word = await page.textContent("#word");
    if (word === "VALID") await page.locator("#record-qr img").screenshot({ path: b });
    console.log(JSON.stringify({
      word,
      pin: document_text(await page.textContent("#record-pin")),
      info: await page.textContent("#record-info"),
    }));
  }
} finally {
  await browser.close();
}

function document_text(t) {
  return (t || "").trim();
}
