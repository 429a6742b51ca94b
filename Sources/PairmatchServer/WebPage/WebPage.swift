/// The web page of `pairmatch serve`: plain HTML, CSS and JavaScript held in the binary, so the page works
/// offline (no CDN, no external font, no build step).
///
/// Routes the server gives it: `GET /` → `html`, `GET /app.js` → `javaScript`, `GET /style.css` → `css`.
/// The page calls the JSON API on the same origin: `POST /v1/compare?chips=1` (multipart parts `a`, `b`),
/// `POST /v1/identify` (part `image`), `POST /v1/people` (parts `name`, `image`…, optional `metadata`;
/// `Authorization: Bearer KEY`) and `GET /v1/people`; errors as `{"error": {"code", "message"}}`.
///
/// Element ids are a contract with `scripts/browser_check.py` (the end-to-end test in headless Chromium):
/// `#compare-a`, `#compare-b`, `#compare-run`, `#compare-result`, `#compare-probability`, `#compare-verdict`,
/// `#compare-error`, `#identify-image`, `#identify-run`, `#identify-result`, `#identify-error`,
/// `#enrol-name`, `#enrol-images`, `#enrol-metadata`, `#enrol-key`, `#enrol-run`, `#enrol-people`, ….
/// Each text is a raw string literal: edit it as the file it is, nothing is escaped.
enum WebPage {
    /// The page at `/` (serve as `text/html; charset=utf-8`). Loads `/style.css` and `/app.js`, nothing else.
    static let html: String = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>pairmatch</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/style.css">
    </head>
    <body>
    <header class="top">
      <h1>pairmatch</h1>
      <p class="tagline">Face verification and identification</p>
    </header>
    <nav class="tabs" role="tablist" aria-label="Tasks">
      <button type="button" role="tab" id="tab-compare" aria-controls="panel-compare" aria-selected="true">Compare</button>
      <button type="button" role="tab" id="tab-identify" aria-controls="panel-identify" aria-selected="false" tabindex="-1">Identify</button>
      <button type="button" role="tab" id="tab-enrol" aria-controls="panel-enrol" aria-selected="false" tabindex="-1">Enrol</button>
    </nav>
    <main>

    <section id="panel-compare" class="panel" role="tabpanel" aria-labelledby="tab-compare">
      <form id="compare-form" class="card" novalidate>
        <p class="hint">Are the faces in two photos the same person?</p>
        <div class="pickers">
          <div class="picker">
            <label for="compare-a">Photo A</label>
            <input type="file" id="compare-a" name="a" accept="image/*" required>
            <img id="compare-a-preview" class="preview" alt="Preview of photo A" hidden>
          </div>
          <div class="picker">
            <label for="compare-b">Photo B</label>
            <input type="file" id="compare-b" name="b" accept="image/*" required>
            <img id="compare-b-preview" class="preview" alt="Preview of photo B" hidden>
          </div>
        </div>
        <div class="actions">
          <button type="submit" id="compare-run" class="primary">Compare</button>
          <span id="compare-status" class="status" role="status" aria-live="polite"></span>
        </div>
      </form>
      <div id="compare-error" class="error" role="alert" hidden></div>
      <div id="compare-result" class="card result" aria-live="polite" hidden>
        <div class="score">
          <p class="verdict-line"><span id="compare-verdict" class="verdict"></span></p>
          <div id="compare-bar" class="bar" role="meter" aria-label="Probability of the same person" aria-valuemin="0" aria-valuemax="1" aria-valuenow="0">
            <div id="compare-bar-fill" class="bar-fill"></div>
            <div id="compare-threshold" class="bar-threshold" title="threshold"></div>
          </div>
          <p class="numbers">
            probability <strong id="compare-probability" class="mono"></strong>
            <span class="sep">·</span> threshold <span id="compare-threshold-value" class="mono"></span>
            <span class="sep">·</span> distance <span id="compare-distance" class="mono"></span>
          </p>
        </div>
        <div class="photos">
          <figure>
            <div class="frame" id="compare-a-frame"><img id="compare-a-photo" alt="Photo A with the face used"></div>
            <figcaption><span id="compare-a-name" class="filename"></span> <span id="compare-a-note" class="note"></span></figcaption>
          </figure>
          <figure>
            <div class="frame" id="compare-b-frame"><img id="compare-b-photo" alt="Photo B with the face used"></div>
            <figcaption><span id="compare-b-name" class="filename"></span> <span id="compare-b-note" class="note"></span></figcaption>
          </figure>
        </div>
        <div class="chips" id="compare-chips">
          <figure><img id="compare-a-chip" class="chip" width="150" height="150" alt="Aligned face from photo A"><figcaption>A, aligned</figcaption></figure>
          <figure><img id="compare-b-chip" class="chip" width="150" height="150" alt="Aligned face from photo B"><figcaption>B, aligned</figcaption></figure>
        </div>
      </div>
    </section>

    <section id="panel-identify" class="panel" role="tabpanel" aria-labelledby="tab-identify" hidden>
      <form id="identify-form" class="card" novalidate>
        <p class="hint">Who is in this photo? Every face is searched among the enrolled people.</p>
        <div class="picker">
          <label for="identify-image">Photo</label>
          <input type="file" id="identify-image" name="image" accept="image/*" required>
          <img id="identify-preview" class="preview" alt="Preview of the photo" hidden>
        </div>
        <div class="actions">
          <button type="submit" id="identify-run" class="primary">Identify</button>
          <span id="identify-status" class="status" role="status" aria-live="polite"></span>
        </div>
      </form>
      <div id="identify-error" class="error" role="alert" hidden></div>
      <div id="identify-result" class="card result" aria-live="polite" hidden>
        <p id="identify-summary" class="summary"></p>
        <figure class="wide">
          <div class="frame" id="identify-frame"><img id="identify-photo" alt="The photo with every face labelled"></div>
        </figure>
        <ol id="identify-list" class="faces"></ol>
      </div>
    </section>

    <section id="panel-enrol" class="panel" role="tabpanel" aria-labelledby="tab-enrol" hidden>
      <form id="enrol-form" class="card" novalidate>
        <p class="hint">Add a person to the gallery, or add photos to someone already enrolled.</p>
        <div class="fields">
          <label for="enrol-name">Name</label>
          <input type="text" id="enrol-name" name="name" autocomplete="off" required>
          <label for="enrol-images">Photos (one or more)</label>
          <input type="file" id="enrol-images" name="image" accept="image/*" multiple required>
          <div id="enrol-previews" class="thumbs"></div>
          <label for="enrol-metadata">Metadata <span class="optional">(optional)</span></label>
          <textarea id="enrol-metadata" name="metadata" rows="2"></textarea>
          <label for="enrol-key">API key</label>
          <input type="password" id="enrol-key" autocomplete="off" aria-describedby="enrol-key-help">
          <p id="enrol-key-help" class="help">Kept in this tab only (session storage) and sent as a Bearer token.</p>
        </div>
        <div class="actions">
          <button type="submit" id="enrol-run" class="primary">Enrol</button>
          <span id="enrol-status" class="status" role="status" aria-live="polite"></span>
        </div>
      </form>
      <div id="enrol-error" class="error" role="alert" hidden></div>
      <div id="enrol-result" class="card result" aria-live="polite" hidden>
        <p id="enrol-outcome" class="summary"></p>
        <ul id="enrol-photos" class="plain"></ul>
      </div>
      <div class="card">
        <div class="list-head">
          <h2>Enrolled people <span id="enrol-count" class="count"></span></h2>
          <button type="button" id="enrol-refresh">Refresh</button>
        </div>
        <div id="enrol-people-error" class="error" role="alert" hidden></div>
        <ul id="enrol-people" class="people" aria-live="polite"></ul>
      </div>
    </section>

    </main>
    <script src="/app.js"></script>
    </body>
    </html>
    """#

    /// `/app.js` (serve as `text/javascript; charset=utf-8`): calls `/v1/compare?chips=1`, `/v1/identify`, `/v1/people`.
    static let javaScript: String = #"""
    // pairmatch web page: three tabs (compare, identify, enrol) over the JSON API of `pairmatch serve`.
    // Plain JavaScript, no framework, no network access beyond this server.
    'use strict';

    const $ = (id) => document.getElementById(id);
    const KEY_STORAGE = 'pairmatch.apiKey';

    // ---------- tabs ----------
    const tabs = ['compare', 'identify', 'enrol'];

    function selectTab(name, focus) {
      for (const t of tabs) {
        const on = t === name;
        const button = $('tab-' + t);
        button.setAttribute('aria-selected', String(on));
        button.tabIndex = on ? 0 : -1;
        $('panel-' + t).hidden = !on;
        if (on && focus) button.focus();
      }
      if (name === 'enrol') loadPeople();
      if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
    }

    tabs.forEach((t, i) => {
      const button = $('tab-' + t);
      button.addEventListener('click', () => selectTab(t, false));
      button.addEventListener('keydown', (e) => {
        let j = null;
        if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
        else if (e.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
        else if (e.key === 'Home') j = 0;
        else if (e.key === 'End') j = tabs.length - 1;
        if (j !== null) { e.preventDefault(); selectTab(tabs[j], true); }
      });
    });

    // ---------- API ----------
    class ApiError extends Error {
      constructor(code, message, status) { super(message); this.code = code; this.status = status; }
    }

    // Sends a request and returns the decoded JSON body; throws ApiError with the server's message otherwise.
    async function api(method, path, body, headers) {
      let response;
      try {
        response = await fetch(path, { method, body, headers: headers || {} });
      } catch (e) {
        throw new ApiError('network', 'Could not reach the server: ' + e.message, 0);
      }
      const text = await response.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
      if (!response.ok) {
        const err = data && data.error;
        if (err && err.message) throw new ApiError(err.code || 'error', err.message, response.status);
        throw new ApiError('http_' + response.status,
          'The server answered ' + response.status + ' ' + (response.statusText || '') + (text && !data ? ': ' + text.slice(0, 200) : ''),
          response.status);
      }
      if (data === null) throw new ApiError('bad_response', 'The server sent an answer that is not JSON.', response.status);
      return data;
    }

    function showError(id, error) {
      const box = $(id);
      box.textContent = '';
      if (!error) { box.hidden = true; return; }
      const title = document.createElement('strong');
      title.textContent = error.code && error.code !== 'error' ? error.code.replace(/_/g, ' ') + ': ' : 'Error: ';
      box.append(title, document.createTextNode(error.message || String(error)));
      box.hidden = false;
    }

    // Disables a form's button and shows a status line while `work` runs.
    async function busy(prefix, statusText, work) {
      const button = $(prefix + '-run');
      const status = $(prefix + '-status');
      button.disabled = true;
      status.textContent = statusText;
      showError(prefix + '-error', null);
      try {
        await work();
        status.textContent = '';
      } catch (e) {
        status.textContent = '';
        showError(prefix + '-error', e instanceof ApiError ? e : new ApiError('error', e.message, 0));
      } finally {
        button.disabled = false;
      }
    }

    // ---------- images and boxes ----------
    const objectURLs = new Map();

    // Shows a local file in an <img> through an object URL (freed when replaced).
    function showFile(img, file) {
      const old = objectURLs.get(img);
      if (old) URL.revokeObjectURL(old);
      if (!file) { img.removeAttribute('src'); img.hidden = true; objectURLs.delete(img); return; }
      const url = URL.createObjectURL(file);
      objectURLs.set(img, url);
      img.src = url;
      img.hidden = false;
    }

    // Resolves true once the image is shown, false when the browser cannot decode it (e.g. PGM).
    function imageLoaded(img) {
      if (img.complete && img.src) return Promise.resolve(img.naturalWidth > 0);
      return new Promise((resolve) => {
        img.addEventListener('load', () => resolve(true), { once: true });
        img.addEventListener('error', () => resolve(false), { once: true });
      });
    }

    function markUnshown(ok, frame, note) {
      frame.hidden = !ok;
      if (!ok) note.textContent = (note.textContent + ' (this browser cannot show this photo)').trim();
    }

    // Draws a face box over a photo. box: inclusive [left, top, right, bottom] in pixels of the
    // (EXIF-oriented) image of width × height; positioned in percent, so it follows the displayed size.
    function drawBox(frame, box, width, height, label, kind) {
      const [l, t, r, b] = box;
      const div = document.createElement('div');
      div.className = 'face-box' + (kind ? ' ' + kind : '');
      div.style.left = (100 * l / width) + '%';
      div.style.top = (100 * t / height) + '%';
      div.style.width = (100 * (r - l + 1) / width) + '%';
      div.style.height = (100 * (b - t + 1) / height) + '%';
      if (label) {
        const span = document.createElement('span');
        span.className = 'face-label';
        span.textContent = label;
        div.append(span);
        if (t / height < 0.12) div.classList.add('label-below');
        if ((l + r) / 2 > width / 2) div.classList.add('label-end');
      }
      frame.append(div);
      return div;
    }

    function clearBoxes(frame) {
      frame.querySelectorAll('.face-box').forEach((el) => el.remove());
    }

    // ---------- compare ----------
    for (const side of ['a', 'b']) {
      $('compare-' + side).addEventListener('change', (e) => {
        showFile($('compare-' + side + '-preview'), e.target.files[0]);
        showError('compare-error', null);
      });
    }

    $('compare-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const a = $('compare-a').files[0];
      const b = $('compare-b').files[0];
      if (!a || !b) {
        showError('compare-error', new ApiError('bad_request', 'Choose two photos first.', 0));
        return;
      }
      busy('compare', 'Comparing…', async () => {
        $('compare-result').hidden = true;
        const form = new FormData();
        form.append('a', a, a.name);
        form.append('b', b, b.name);
        const data = await api('POST', '/v1/compare?chips=1', form);
        await showCompare(data, a, b);
      });
    });

    async function showCompare(data, fileA, fileB) {
      const p = Number(data.probability);
      const threshold = Number(data.threshold);
      const same = data.same === undefined ? p >= threshold : Boolean(data.same);
      $('compare-probability').textContent = p.toFixed(4);
      $('compare-threshold-value').textContent = Number.isFinite(threshold) ? threshold.toFixed(2) : '–';
      $('compare-distance').textContent = Number.isFinite(Number(data.distance)) ? Number(data.distance).toFixed(4) : '–';
      const verdict = $('compare-verdict');
      verdict.textContent = same ? 'same person' : 'different people';
      verdict.className = 'verdict ' + (same ? 'same' : 'different');
      const bar = $('compare-bar');
      bar.setAttribute('aria-valuenow', p.toFixed(4));
      bar.setAttribute('aria-valuetext', p.toFixed(4) + ', ' + verdict.textContent);
      $('compare-bar-fill').style.width = (100 * Math.min(1, Math.max(0, p))) + '%';
      $('compare-bar-fill').className = 'bar-fill ' + (same ? 'same' : 'different');
      const marker = $('compare-threshold');
      marker.hidden = !Number.isFinite(threshold);
      marker.style.left = (100 * Math.min(1, Math.max(0, threshold))) + '%';
      marker.title = 'threshold ' + threshold;

      const waits = [];
      for (const [side, file] of [['a', fileA], ['b', fileB]]) {
        const info = data[side] || {};
        const frame = $('compare-' + side + '-frame');
        const photo = $('compare-' + side + '-photo');
        clearBoxes(frame);
        showFile(photo, file);
        $('compare-' + side + '-name').textContent = info.path || file.name;
        const found = Number(info.faces_found || 0);
        $('compare-' + side + '-note').textContent = found > 1 ? found + ' faces found, used face ' + (info.face || 1) : '';
        if (Array.isArray(info.box) && info.width && info.height) drawBox(frame, info.box, info.width, info.height, null, 'used');
        const chip = $('compare-' + side + '-chip');
        if (info.chip) { chip.src = info.chip; chip.hidden = false; waits.push(imageLoaded(chip)); }
        else { chip.removeAttribute('src'); chip.hidden = true; }
        const note = $('compare-' + side + '-note');
        waits.push(imageLoaded(photo).then((ok) => markUnshown(ok, frame, note)));
      }
      $('compare-chips').hidden = !(data.a && data.a.chip) && !(data.b && data.b.chip);
      await Promise.all(waits);
      $('compare-result').hidden = false;
    }

    // ---------- identify ----------
    $('identify-image').addEventListener('change', (e) => {
      showFile($('identify-preview'), e.target.files[0]);
      showError('identify-error', null);
    });

    $('identify-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const file = $('identify-image').files[0];
      if (!file) {
        showError('identify-error', new ApiError('bad_request', 'Choose a photo first.', 0));
        return;
      }
      busy('identify', 'Identifying…', async () => {
        $('identify-result').hidden = true;
        const form = new FormData();
        form.append('image', file, file.name);
        const data = await api('POST', '/v1/identify', form);
        await showIdentify(data, file);
      });
    });

    function faceLabel(face) {
      if (!face.decision || face.decision === 'unknown') return 'unknown';
      const match = (face.matches || []).find((m) => m.name === face.decision);
      return match ? face.decision + ' ' + Number(match.probability).toFixed(2) : face.decision;
    }

    async function showIdentify(data, file) {
      const frame = $('identify-frame');
      const photo = $('identify-photo');
      clearBoxes(frame);
      showFile(photo, file);
      const faces = data.faces || [];
      const known = faces.filter((f) => f.decision && f.decision !== 'unknown').length;
      $('identify-summary').textContent = faces.length === 0
        ? 'No face found in ' + (data.path || file.name) + '.'
        : faces.length + (faces.length === 1 ? ' face' : ' faces') + ' found in ' + (data.path || file.name) + ', ' + known + ' recognised.';
      const list = $('identify-list');
      list.textContent = '';
      faces.forEach((face, i) => {
        const label = faceLabel(face);
        const kind = label === 'unknown' ? 'unknown' : 'known';
        if (Array.isArray(face.box)) drawBox(frame, face.box, data.width, data.height, label, kind);
        const item = document.createElement('li');
        const head = document.createElement('p');
        head.className = 'face-head';
        const name = document.createElement('strong');
        name.textContent = face.decision || 'unknown';
        name.className = kind;
        head.append('Face ' + (i + 1) + ': ', name);
        item.append(head);
        const matches = face.matches || [];
        if (matches.length > 0) {
          const table = document.createElement('table');
          table.className = 'matches';
          const caption = document.createElement('caption');
          caption.textContent = 'Closest enrolled people for face ' + (i + 1);
          caption.className = 'visually-hidden';
          table.append(caption);
          const headRow = table.insertRow();
          for (const h of ['name', 'probability', 'distance']) {
            const th = document.createElement('th');
            th.scope = 'col';
            th.textContent = h;
            headRow.append(th);
          }
          for (const m of matches) {
            const row = table.insertRow();
            row.insertCell().textContent = m.name;
            row.insertCell().textContent = Number(m.probability).toFixed(4);
            row.insertCell().textContent = Number(m.distance).toFixed(4);
          }
          item.append(table);
        } else {
          const none = document.createElement('p');
          none.className = 'note';
          none.textContent = 'No enrolled person to compare with.';
          item.append(none);
        }
        list.append(item);
      });
      markUnshown(await imageLoaded(photo), frame, $('identify-summary'));
      $('identify-result').hidden = false;
    }

    // ---------- enrol ----------
    const keyInput = $('enrol-key');
    try { keyInput.value = sessionStorage.getItem(KEY_STORAGE) || ''; } catch (e) { /* storage disabled */ }
    keyInput.addEventListener('input', () => {
      try { sessionStorage.setItem(KEY_STORAGE, keyInput.value); } catch (e) { /* storage disabled */ }
    });

    function authHeaders() {
      const key = keyInput.value.trim();
      return key ? { Authorization: 'Bearer ' + key } : {};
    }

    $('enrol-images').addEventListener('change', (e) => {
      const box = $('enrol-previews');
      box.querySelectorAll('img').forEach((img) => showFile(img, null));
      box.textContent = '';
      for (const file of e.target.files) {
        const img = document.createElement('img');
        img.alt = file.name;
        img.className = 'thumb';
        showFile(img, file);
        box.append(img);
      }
      showError('enrol-error', null);
    });

    $('enrol-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const name = $('enrol-name').value.trim();
      const files = Array.from($('enrol-images').files);
      if (!name || files.length === 0) {
        showError('enrol-error', new ApiError('bad_request', 'Give a name and at least one photo.', 0));
        return;
      }
      busy('enrol', 'Enrolling…', async () => {
        $('enrol-result').hidden = true;
        const form = new FormData();
        form.append('name', name);
        for (const file of files) form.append('image', file, file.name);
        const metadata = $('enrol-metadata').value.trim();
        if (metadata) form.append('metadata', metadata);
        const data = await api('POST', '/v1/people', form, authHeaders());
        showEnrol(data);
        await loadPeople();
      });
    });

    const OUTCOMES = { added: 'added as a new person', extended: 'photos added to the person', replaced: 'replaced' };

    function showEnrol(data) {
      const n = Number(data.embeddings);
      $('enrol-outcome').textContent = data.name + ': ' + (OUTCOMES[data.outcome] || data.outcome) +
        ' (' + n + (n === 1 ? ' embedding' : ' embeddings') + ' stored).';
      $('enrol-outcome').dataset.outcome = data.outcome || '';
      const list = $('enrol-photos');
      list.textContent = '';
      for (const photo of data.photos || []) {
        const item = document.createElement('li');
        const found = Number(photo.faces_found || 0);
        item.textContent = photo.path + ': ' + found + (found === 1 ? ' face found' : ' faces found') +
          (found > 1 ? ', the largest used' : '');
        list.append(item);
      }
      $('enrol-result').hidden = false;
    }

    let peopleRequest = null;

    // Refreshes the list of enrolled people (GET /v1/people); one request at a time.
    function loadPeople() {
      if (peopleRequest) return peopleRequest;
      peopleRequest = (async () => {
        showError('enrol-people-error', null);
        try {
          const data = await api('GET', '/v1/people', undefined, authHeaders());
          const list = $('enrol-people');
          list.textContent = '';
          $('enrol-count').textContent = '(' + Number(data.count) + ')';
          const people = data.people || [];
          if (people.length === 0) {
            const item = document.createElement('li');
            item.className = 'note';
            item.textContent = 'Nobody is enrolled yet.';
            list.append(item);
          }
          for (const person of people) {
            const item = document.createElement('li');
            const name = document.createElement('strong');
            name.textContent = person.name;
            const count = document.createElement('span');
            count.className = 'note';
            count.textContent = ' ' + person.embeddings + (person.embeddings === 1 ? ' embedding' : ' embeddings');
            item.append(name, count);
            if (person.metadata !== null && person.metadata !== undefined && person.metadata !== '') {
              const meta = document.createElement('span');
              meta.className = 'meta';
              meta.textContent = typeof person.metadata === 'string' ? person.metadata : JSON.stringify(person.metadata);
              item.append(meta);
            }
            list.append(item);
          }
        } catch (e) {
          showError('enrol-people-error', e instanceof ApiError ? e : new ApiError('error', e.message, 0));
        } finally {
          peopleRequest = null;
        }
      })();
      return peopleRequest;
    }

    $('enrol-refresh').addEventListener('click', () => loadPeople());

    // ---------- start ----------
    const first = location.hash.slice(1);
    selectTab(tabs.includes(first) ? first : 'compare', false);
    """#

    /// `/style.css` (serve as `text/css; charset=utf-8`): light and dark through `prefers-color-scheme`.
    static let css: String = #"""
    /* pairmatch web page. No external fonts or assets; light and dark through prefers-color-scheme. */
    :root {
      --bg: #f4f5f7;
      --card: #ffffff;
      --text: #1d2330;
      --muted: #5b6475;
      --border: #d8dce3;
      --accent: #2456c7;
      --accent-text: #ffffff;
      --same: #1b7f46;
      --different: #b3361f;
      --unknown: #9a6a00;
      --bar: #e6e9ef;
      --error-bg: #fdecea;
      --error-border: #e8a39a;
      --error-text: #7d1f12;
      --shadow: 0 1px 2px rgba(20, 30, 50, .06), 0 2px 8px rgba(20, 30, 50, .05);
      color-scheme: light dark;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #14171d;
        --card: #1d2129;
        --text: #e6e9ef;
        --muted: #a0a8b8;
        --border: #343a46;
        --accent: #6d9bff;
        --accent-text: #0d1220;
        --same: #4cc487;
        --different: #ff8a73;
        --unknown: #e6b84c;
        --bar: #2c323d;
        --error-bg: #3a1f1c;
        --error-border: #84433a;
        --error-text: #ffcdc4;
        --shadow: none;
      }
    }
    *, *::before, *::after { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body {
      margin: 0;
      background: var(--bg);
      color: var(--text);
      font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
    }
    [hidden] { display: none !important; }
    .top, main { max-width: 980px; margin: 0 auto; padding: 0 16px; }
    .top { padding-top: 20px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 14px; }
    .top h1 { margin: 0; font-size: 1.6rem; letter-spacing: -.01em; }
    .tagline { margin: 0; color: var(--muted); }

    .tabs { display: flex; gap: 4px; max-width: 948px; width: calc(100% - 32px); margin: 14px auto 0; border-bottom: 1px solid var(--border); }
    .tabs [role="tab"] {
      flex: 0 1 auto;
      font: inherit;
      font-weight: 600;
      color: var(--muted);
      background: none;
      border: 0;
      border-bottom: 3px solid transparent;
      padding: 10px 16px 8px;
      margin-bottom: -1px;
      cursor: pointer;
    }
    .tabs [role="tab"][aria-selected="true"] { color: var(--accent); border-bottom-color: var(--accent); }
    .tabs [role="tab"]:hover { color: var(--text); }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }

    main { padding-top: 16px; padding-bottom: 40px; }
    .card {
      background: var(--card);
      border: 1px solid var(--border);
      border-radius: 10px;
      box-shadow: var(--shadow);
      padding: 16px;
      margin-bottom: 16px;
      min-width: 0;
    }
    .hint { margin: 0 0 12px; color: var(--muted); }
    h2 { font-size: 1.1rem; margin: 0; }

    label { display: block; font-weight: 600; margin-bottom: 4px; }
    .optional { font-weight: 400; color: var(--muted); }
    input[type="text"], input[type="password"], textarea {
      width: 100%;
      font: inherit;
      color: inherit;
      background: var(--bg);
      border: 1px solid var(--border);
      border-radius: 6px;
      padding: 8px 10px;
    }
    input[type="file"] { display: block; max-width: 100%; font: inherit; font-size: .9rem; }
    .fields { display: grid; gap: 4px; max-width: 560px; }
    .fields input, .fields textarea { margin-bottom: 10px; }
    .help { margin: -6px 0 8px; font-size: .85rem; color: var(--muted); }

    .pickers { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
    .picker { min-width: 0; }
    .preview {
      display: block;
      margin-top: 10px;
      max-width: 100%;
      max-height: 220px;
      border-radius: 6px;
      border: 1px solid var(--border);
      object-fit: contain;
    }
    .thumbs { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 10px; }
    .thumb { width: 72px; height: 72px; object-fit: cover; border-radius: 6px; border: 1px solid var(--border); }
    .thumbs:empty { display: none; }

    .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin-top: 16px; }
    button {
      font: inherit;
      font-weight: 600;
      color: var(--text);
      background: var(--card);
      border: 1px solid var(--border);
      border-radius: 6px;
      padding: 8px 16px;
      cursor: pointer;
    }
    button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); padding: 9px 22px; }
    button:disabled { opacity: .6; cursor: progress; }
    .status { color: var(--muted); }

    .error {
      background: var(--error-bg);
      border: 1px solid var(--error-border);
      color: var(--error-text);
      border-radius: 8px;
      padding: 10px 14px;
      margin-bottom: 16px;
      overflow-wrap: anywhere;
    }

    .score { margin-bottom: 16px; }
    .verdict-line { margin: 0 0 8px; }
    .verdict { font-size: 1.35rem; font-weight: 700; }
    .verdict.same { color: var(--same); }
    .verdict.different { color: var(--different); }
    .bar { position: relative; height: 16px; border-radius: 8px; background: var(--bar); }
    .bar-fill { height: 100%; border-radius: 8px; width: 0; transition: width .4s ease; }
    .bar-fill.same { background: var(--same); }
    .bar-fill.different { background: var(--different); }
    .bar-threshold {
      position: absolute;
      top: -5px;
      bottom: -5px;
      width: 3px;
      margin-left: -1.5px;
      background: var(--text);
      border-radius: 2px;
    }
    .numbers { margin: 10px 0 0; color: var(--muted); }
    .numbers strong { color: var(--text); font-size: 1.15rem; }
    .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-variant-numeric: tabular-nums; }
    .sep { margin: 0 4px; }

    figure { margin: 0; min-width: 0; }
    figcaption { margin-top: 6px; font-size: .9rem; color: var(--muted); overflow-wrap: anywhere; }
    .filename { color: var(--text); }
    .note { color: var(--muted); }
    .photos { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; align-items: start; }
    .frame { position: relative; display: inline-block; max-width: 100%; vertical-align: top; line-height: 0; }
    .frame img { display: block; max-width: 100%; height: auto; max-height: 420px; border-radius: 6px; }
    .wide .frame img { max-height: 560px; }
    .face-box {
      position: absolute;
      border: 3px solid var(--accent);
      border-radius: 3px;
      box-shadow: 0 0 0 1px rgba(0, 0, 0, .45);
      pointer-events: none;
    }
    .face-box.used { border-color: #37d67a; }
    .face-box.known { border-color: #37d67a; }
    .face-box.unknown { border-color: #ffc53d; }
    .face-label {
      position: absolute;
      left: -3px;
      bottom: 100%;
      margin-bottom: 3px;
      padding: 2px 6px;
      font: 600 13px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
      white-space: nowrap;
      max-width: calc(100vw - 48px);
      overflow: hidden;
      text-overflow: ellipsis;
      color: #0b1a10;
      background: #37d67a;
      border-radius: 3px;
    }
    .face-box.unknown .face-label { background: #ffc53d; color: #2a1d00; }
    .face-box.label-below .face-label { bottom: auto; top: 100%; margin: 3px 0 0; }
    .face-box.label-end .face-label { left: auto; right: -3px; }

    .chips { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 16px; padding-top: 16px; border-top: 1px solid var(--border); }
    .chips figure { text-align: center; }
    .chip { display: block; width: 150px; height: 150px; border-radius: 6px; border: 1px solid var(--border); image-rendering: auto; }

    .summary { margin: 0 0 12px; font-weight: 600; }
    .faces { margin: 16px 0 0; padding-left: 0; list-style: none; display: grid; gap: 12px; }
    .faces li { border-top: 1px solid var(--border); padding-top: 10px; }
    .face-head { margin: 0 0 6px; }
    .face-head .known { color: var(--same); }
    .face-head .unknown { color: var(--unknown); }
    .matches { border-collapse: collapse; font-size: .92rem; max-width: 100%; }
    .matches th, .matches td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid var(--border); }
    .matches th { color: var(--muted); font-weight: 600; }
    .matches td + td { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-variant-numeric: tabular-nums; }

    .list-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 10px; }
    .count { color: var(--muted); font-weight: 400; }
    .people, .plain { margin: 0; padding: 0; list-style: none; }
    .people li { padding: 8px 0; border-top: 1px solid var(--border); overflow-wrap: anywhere; }
    .people .meta { display: block; font-size: .88rem; color: var(--muted); }
    .plain li { padding: 2px 0; overflow-wrap: anywhere; }

    .visually-hidden {
      position: absolute !important;
      width: 1px; height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }

    @media (max-width: 600px) {
      .top, main { padding-left: 12px; padding-right: 12px; }
      .tabs { width: calc(100% - 24px); }
      .tabs [role="tab"] { flex: 1 1 0; padding: 10px 6px 8px; }
      .pickers, .photos { gap: 12px; }
      .preview { max-height: 160px; }
      .card { padding: 12px; }
      .frame img { max-height: 300px; }
      .wide .frame img { max-height: 440px; }
      .chips { justify-content: center; }
      .chip { width: 130px; height: 130px; }
    }
    """#
}
