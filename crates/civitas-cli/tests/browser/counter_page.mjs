// Opens the counter page in headless Debian Chromium and waits for a verdict.
//   node counter_page.mjs camera URL FAKE_VIDEO.y4m   (a fake webcam showing the QR)
//   node counter_page.mjs upload URL IMAGE.png         (the page's photo upload)
// URL is the clerk's address `civitas counter serve` printed (http://…/?k=TOKEN).
// Prints {"word": ..., "reason": ..., "claims": [...]} and exits 0 once a verdict shows.
import { chromium } from "playwright-core";

const [mode, url, file] = process.argv.slice(2);
const args = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
if (mode === "camera") {
  args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    `--use-file-for-fake-video-capture=${file}`);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args });
try {
  const page = await browser.newPage();
  await page.goto(mode === "camera" ? url + "&camera" : url);
  if (mode === "upload") {
    await page.setInputFiles("#photo", file);
  }
  await page.waitForFunction(() => {
    const w = document.getElementById("word").textContent;
    return w === "VALID" || w === "NOT VALID";
  }, null, { timeout: 45000 });
  const result = await page.evaluate(() => ({
    word: document.getElementById("word").textContent,
    reason: document.getElementById("reason").textContent,
    claims: [...document.querySelectorAll("#claims dt")].map((dt) => dt.textContent + ": " + dt.nextElementSibling.textContent),
  }));
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
