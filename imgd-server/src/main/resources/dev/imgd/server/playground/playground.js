// The imgd playground: controls made from the server's option table, the URL they make, the image
// it gives. Paths are relative to the page, so a path prefix (IMGD_PATH_PREFIX) just works. The
// page's state is in body[data-state] (loading, rendering, done, error) for people and tests.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  // Where the page asks for images: the server hands them to its image walk as the path that follows.
  const IMAGES = 'playground/image';
  const page = { config: null, upload: null, before: null, after: null, run: 0, timer: 0 };

  const problem = async (r) => {
    try {
      const p = await r.json();
      return `${r.status} ${p.code}: ${p.detail}`;
    } catch {
      return `HTTP ${r.status}`;
    }
  };

  const getJson = async (path) => {
    const r = await fetch(path, { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(await problem(r));
    return r.json();
  };

  const shortest = (o) => [o.name, ...o.aliases].reduce((a, b) => (b.length < a.length ? b : a));

  const sign = async (path) =>
    page.config.signing
      ? (await getJson('playground/sign?path=' + encodeURIComponent(path))).signature
      : 'insecure';

  const sourceUrl = (name) => 'local:///' + name.split('/').map(encodeURIComponent).join('/');

  const formatBytes = (n) =>
    n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(2)} MiB`;

  // One fieldset per option: one input per argument, or one for a list.
  function buildControls() {
    const { options, formats } = page.config;
    for (const f of formats) {
      const o = document.createElement('option');
      o.value = f;
      $('formats').append(o);
    }
    for (const option of options) {
      const set = document.createElement('fieldset');
      set.dataset.option = option.name;
      set.dataset.short = shortest(option);
      const legend = document.createElement('legend');
      legend.textContent = option.name + ' ';
      if (option.aliases.length) {
        const small = document.createElement('small');
        small.textContent = option.aliases.join(', ');
        legend.append(small);
      }
      const doc = document.createElement('p');
      doc.textContent = option.doc;
      set.append(legend, doc);
      const args = option.maxArgs === 1 || option.maxArgs < 0 ? [option.args] : option.args.split(':');
      args.forEach((arg, i) => {
        const input = document.createElement('input');
        input.name = `${option.name}.${i}`;
        input.placeholder = arg;
        input.title = arg;
        input.setAttribute('aria-label', `${option.name}: ${arg}`);
        if (option.maxArgs < 0) input.className = 'list';
        if (option.name === 'format') input.setAttribute('list', 'formats');
        input.addEventListener('input', changed);
        set.append(input);
      });
      if (option.example) {
        const example = document.createElement('button');
        example.type = 'button';
        example.textContent = `${set.dataset.short}:${option.example}`;
        example.title = 'Use this example';
        example.addEventListener('click', () => {
          const inputs = set.querySelectorAll('input');
          const parts = inputs.length === 1 ? [option.example] : option.example.split(':');
          inputs.forEach((input, i) => (input.value = parts[i] ?? ''));
          changed();
        });
        set.append(example);
      }
      $('options').append(set);
    }
  }

  // The options the controls set, in table order: name:arg:arg segments joined by '/'.
  function optionsPath() {
    const sep = page.config.separator;
    const segments = [];
    for (const set of $('options').children) {
      const values = [...set.querySelectorAll('input')].map((i) => i.value.trim());
      while (values.length && values[values.length - 1] === '') values.pop();
      set.classList.toggle('set', values.length > 0);
      if (values.length) segments.push(set.dataset.short + sep + values.join(sep));
    }
    return segments.join('/');
  }

  // The request for these options: a GET of a local image, or a POST of the upload.
  async function request(options) {
    if (page.upload) {
      const path = '/process?' + options;
      const headers = { 'Content-Type': 'application/octet-stream' };
      if (page.config.signing) headers['X-Imgd-Signature'] = await sign(path);
      return { shown: 'POST ' + path, fetch: () => fetch(IMAGES + path, { method: 'POST', body: page.upload, headers }) };
    }
    const name = $('image').value;
    if (!name) return null;
    const rest = '/' + (options ? options + '/' : '') + 'plain/' + sourceUrl(name);
    const path = '/' + (await sign(rest)) + rest;
    const shown = page.config.signing ? path : new URL(path.slice(1), document.baseURI).href;
    return { shown, fetch: () => fetch(IMAGES + path) };
  }

  function changed() {
    clearTimeout(page.timer);
    page.timer = setTimeout(render, 250);
  }

  function show(img, blob, key) {
    if (page[key]) URL.revokeObjectURL(page[key]);
    page[key] = URL.createObjectURL(blob);
    img.src = page[key];
    return img.decode().then(() => true, () => false);
  }

  async function render() {
    const run = ++page.run;
    const options = optionsPath();
    document.body.dataset.state = 'rendering';
    $('error').hidden = true;
    try {
      const req = await request(options);
      if (!req) {
        document.body.dataset.state = 'done';
        return;
      }
      $('url').value = req.shown;
      const started = performance.now();
      const r = await req.fetch();
      const blob = r.ok ? await r.blob() : null;
      const millis = performance.now() - started;
      if (run !== page.run) return; // a newer render owns the page
      if (!r.ok) throw new Error(await problem(r));
      const shown = await show($('after'), blob, 'after');
      if (run !== page.run) return;
      const img = $('after');
      $('r-format').textContent = r.headers.get('Content-Type');
      $('r-dimensions').textContent = shown ? `${img.naturalWidth} × ${img.naturalHeight}` : 'the browser cannot show it';
      $('r-bytes').textContent = formatBytes(blob.size);
      $('r-time').textContent = `${Math.round(millis)} ms`;
      document.body.dataset.state = 'done';
    } catch (e) {
      if (run !== page.run) return;
      $('error').textContent = e.message;
      $('error').hidden = false;
      document.body.dataset.state = 'error';
    }
  }

  // The "before" side: the source as the server renders it with no options, or the upload itself.
  async function before() {
    if (page.upload) {
      show($('before'), page.upload, 'before');
      return;
    }
    const name = $('image').value;
    if (!name) return;
    const rest = '/plain/' + sourceUrl(name);
    const r = await fetch(IMAGES + '/' + (await sign(rest)) + rest);
    if (r.ok) show($('before'), await r.blob(), 'before');
  }

  function slide() {
    const v = $('slider').value;
    $('after').style.clipPath = `inset(0 0 0 ${v}%)`;
  }

  async function start() {
    try {
      page.config = await getJson('playground/options');
      buildControls();
      const { images, max, baseUrl } = await getJson('playground/images');
      for (const name of images) {
        const o = document.createElement('option');
        o.value = o.textContent = name;
        $('image').append(o);
      }
      if (!images.length) {
        const why = baseUrl ? 'IMGD_BASE_URL names no local image' : 'no images';
        $('image').append(new Option(`(${why}: upload one)`, ''));
      }
      $('status').textContent = images.length >= max ? `the first ${max} images` : `${images.length} images`;
      $('url-label').textContent = page.config.signing ? 'Signed path' : 'URL';
    } catch (e) {
      $('error').textContent = e.message;
      $('error').hidden = false;
      document.body.dataset.state = 'error';
      return;
    }
    $('image').addEventListener('change', () => {
      page.upload = null;
      $('upload').value = '';
      before();
      render();
    });
    $('upload').addEventListener('change', () => {
      page.upload = $('upload').files[0] || null;
      before();
      render();
    });
    $('filter').addEventListener('input', () => {
      const q = $('filter').value.toLowerCase();
      for (const set of $('options').children) set.hidden = !set.textContent.toLowerCase().includes(q);
    });
    $('slider').addEventListener('input', slide);
    $('copy').addEventListener('click', () => navigator.clipboard?.writeText($('url').value));
    slide();
    before();
    render();
  }

  start();
})();
