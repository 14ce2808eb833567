// Puppeteer must never download a browser: the network is closed here, and we drive
// the system Chromium instead (see src/runtimes/chrome/launch.ts).
module.exports = { skipDownload: true };
