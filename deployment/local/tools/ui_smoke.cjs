// Click through the Agents Playground web UI in headless Chromium, as a person would.
// Needs: apt-get install -y chromium; npm install --no-save playwright-core@1.65.1
// (playwright-core downloads no browser). Run with the playground on :56150 and a bot on :3978:
//   NODE_PATH=<dir with node_modules> node tools/ui_smoke.cjs [outDir]
// Screenshots go to outDir (default /tmp/playground-ui). Exits non-zero when a step fails.
const { chromium } = require('playwright-core');
const path = require('path');
const fs = require('fs');
const out = process.argv[2] || '/tmp/playground-ui';
const base = process.env.PLAYGROUND_URL || 'http://localhost:56150';
fs.mkdirSync(out, { recursive: true });

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', r => { if (r.url().includes('/_conversation/')) console.log('UI ->', r.method(), decodeURIComponent(r.url().replace(base, '')), r.postData() || ''); });
  const shot = async name => page.screenshot({ path: path.join(out, name + '.png') });
  const editor = () => page.locator('[data-lexical-editor="true"]');
  const mentionBot = async box => {
    await box.type('@Casus');
    await page.locator('[role=menuitem]', { hasText: 'Casusoverleg' }).first().click();
  };
  try {
    await page.goto(base, { waitUntil: 'networkidle' });   // opens Personal Chat -> installationUpdate + conversationUpdate
    await page.waitForTimeout(1000);

    // Personal chat: ask for a card, fill the input, click Action.Execute
    let box = editor().last();
    await box.click(); await box.type('kaart graag'); await page.keyboard.press('Enter');
    await page.locator('.ac-adaptiveCard button', { hasText: 'Bevestigen' }).last().waitFor({ timeout: 10000 });
    await shot('1-personal-card');
    await page.locator('.ac-adaptiveCard input').last().fill('Akkoord, graag agenderen');
    await page.locator('.ac-adaptiveCard button', { hasText: 'Bevestigen' }).last().click();
    await page.getByText('bevestigd door', { exact: false }).last().waitFor({ timeout: 10000 });
    await shot('2-personal-after-execute');

    // Personal chat: another card, click the Action.Submit
    box = editor().last();
    await box.click(); await box.type('nog een kaart'); await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    await page.locator('.ac-adaptiveCard button', { hasText: 'Later' }).last().click();
    await page.getByText('echo: {', { exact: false }).last().waitFor({ timeout: 10000 });

    // Channel "Casusoverleg": new post with @mention, card in the thread, Action.Execute, reply in thread
    await page.locator('[role=treeitem][aria-label="PGA Zuiderstad - Casusoverleg"]').click();
    await page.waitForTimeout(1000);
    box = editor().first();                                 // "Start a new post"
    await box.click(); await mentionBot(box);
    await page.keyboard.type(' nieuwe casus aanmelden, kaart graag');
    await page.getByRole('button', { name: 'Post' }).click();
    await page.locator('.ac-adaptiveCard button', { hasText: 'Bevestigen' }).last().waitFor({ timeout: 10000 });
    await page.locator('.ac-adaptiveCard input').last().fill('Besproken met wijkagent');
    await page.locator('.ac-adaptiveCard button', { hasText: 'Bevestigen' }).last().click();
    await page.getByText('bevestigd door', { exact: false }).last().waitFor({ timeout: 10000 });
    box = editor().last();                                  // reply box of the thread
    await box.click(); await mentionBot(box);
    await page.keyboard.type(' wie is casusregisseur?'); await page.keyboard.press('Enter');
    await page.getByText('echo: ', { exact: false }).last().waitFor({ timeout: 10000 });
    await shot('3-channel-thread');

    // Group chat with @mention
    await page.locator('[role=treeitem][aria-label="Casusoverleg Zuiderstad"]').click();
    await page.waitForTimeout(1000);
    box = editor().last();
    await box.click(); await mentionBot(box);
    await page.keyboard.type(' overleg morgen om 10 uur?'); await page.keyboard.press('Enter');
    await page.waitForTimeout(2000);
    await shot('4-group-chat');
    console.log('UI SMOKE OK, screenshots in', out);
  } catch (e) {
    await shot('failure').catch(() => {});
    console.error('UI SMOKE FAIL:', e.message);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
