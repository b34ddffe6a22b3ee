// dom-check.js — loaded by a generated wrapper page in headless Chromium
// (tests/browser/run.sh): opens each report named in window.REPORTS in a
// phone-wide iframe, reads what a person would see through the DOM, and
// writes it as JSON into <pre id="out"> for --dump-dom to carry out.
'use strict';
const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);

function inspect(d, win) {
  const all = [...d.querySelectorAll('*')];
  const r = {
    title: d.title,
    lang: d.documentElement.lang,
    viewport: !!d.querySelector('meta[name=viewport]'),
    // markup that must never come from a report: scripts, active content,
    // anything loaded from elsewhere, inline event handlers
    scripts: d.querySelectorAll('script').length,
    active: d.querySelectorAll('img,svg,iframe,object,embed,video,audio,form,input,link,base,a').length,
    handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
    external: all.filter((el) => el.hasAttribute('src') || el.hasAttribute('href')).length,
    css_loads: [...d.querySelectorAll('style')].some((s) => /url\(|@import|@font-face/i.test(s.textContent)),
    overflow: d.documentElement.scrollWidth > win.innerWidth + 1,
    width: win.innerWidth,
    candidate: text(d.querySelector('.candidate')),
    days_left: text(d.querySelector('.days-left')),
    window: text(d.querySelector('.window')),
    tables: [...d.querySelectorAll('table')].map((t) => ({
      col_headers: [...t.querySelectorAll('thead th[scope=col]')].map(text),
      row_headers: t.querySelectorAll('tbody th[scope=row]').length,
      rows: t.querySelectorAll('tbody tr.file').length,
      caption: text(t.querySelector('caption')),
    })),
    // every status shown must carry words, not colour alone
    labels: [...d.querySelectorAll('.badge,.res,.sstate')].map(text),
    entries: [...d.querySelectorAll('section.entry')].map((s) => ({
      id: s.id,
      status: s.dataset.status,
      label: text(s.querySelector('.status')),
      summary: text(s.querySelector('.summary')),
      slots: [...s.querySelectorAll('section.slot')].map((x) => ({
        slot: x.dataset.slot, state: x.dataset.state,
        heading: text(x.querySelector('h3')), needs: text(x.querySelector('.needs')),
      })),
    })),
    rows: [...d.querySelectorAll('tr.file')].map((tr) => {
      const notes = tr.nextElementSibling && tr.nextElementSibling.classList.contains('notes')
        ? tr.nextElementSibling : null;
      return {
        name: tr.querySelector('th .name').textContent,
        from: text(tr.querySelector('th .from')) || '',
        slot: tr.dataset.slot, verdict: tr.dataset.verdict,
        found: text(tr.querySelector('td.found')), result: text(tr.querySelector('td.result')),
        problems: notes ? [...notes.querySelectorAll('li.problem')].map((li) => ({
          what: text(li.querySelector('.what')), fix: text(li.querySelector('.fix')) })) : [],
        infos: notes ? [...notes.querySelectorAll('li.info,li.fixed')].map(text) : [],
      };
    }),
  };
  return r;
}

function run(i, out) {
  if (i === window.REPORTS.length) {
    document.getElementById('out').textContent = JSON.stringify(out);
    return;
  }
  const f = document.createElement('iframe');
  f.style.width = '390px';
  f.style.height = '800px';
  f.onload = () => {
    let r;
    try {
      r = inspect(f.contentDocument, f.contentWindow);
    } catch (e) {
      r = { error: String(e) };
    }
    r.url = window.REPORTS[i];
    out.push(r);
    f.remove();
    run(i + 1, out);
  };
  f.src = window.REPORTS[i];
  document.body.appendChild(f);
}
run(0, []);
