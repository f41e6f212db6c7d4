// diplocode workbench: the small amount of JavaScript the pages need.
// Every action goes through the JSON API with the page's CSRF token.
"use strict";

const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data;
  try { data = await response.json(); } catch (e) { data = { ok: false, error: { code: "HTTP", what: response.statusText, fix: "" } }; }
  if (!data.ok) {
    // what_local/fix_local: the message in the page's language; what/fix: English
    const e = data.error;
    const err = new Error(`[${e.code}] ${e.what_local || e.what} ${e.fix_local || e.fix}`);
    err.info = e;
    throw err;
  }
  return data;
}

function message(id) {
  const t = document.getElementById(id);
  return t ? t.content.textContent.trim() : "";
}

// Offsets in the store are Unicode code points; JavaScript strings count UTF-16 units.
const codePoints = (s) => Array.from(s).length;

function offsetOf(node, offset) {
  // a position inside the text -> a code-point offset into the source text
  let el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  if (node.nodeType !== Node.TEXT_NODE) {
    const child = node.childNodes[offset];
    if (child && child.dataset && child.dataset.o !== undefined) return Number(child.dataset.o);
    if (child === undefined && node.lastChild && node.lastChild.dataset) {
      const last = node.lastChild;
      return Number(last.dataset.o) + codePoints(last.textContent);
    }
  }
  while (el && (!el.dataset || el.dataset.o === undefined)) el = el.parentElement;
  if (!el) return null;
  return Number(el.dataset.o) + codePoints((node.textContent || "").slice(0, offset));
}

// -- the source page: select text, pick a code, memo, save ----------------------------------------
function setupSource() {
  const text = document.getElementById("text");
  if (!text) return;
  const sourceId = Number(document.querySelector("article.source").dataset.sourceId);
  const picker = document.getElementById("picker");
  const search = document.getElementById("picker-search");
  const list = document.getElementById("picker-list");
  const save = document.getElementById("picker-save");
  const memo = document.getElementById("picker-memo");
  const error = document.getElementById("picker-error");
  let span = null;       // {start, end} of a new coding
  let changing = null;   // coding id whose code is being changed
  let chosen = null;

  function choose(li) {
    list.querySelectorAll("li").forEach((x) => x.classList.toggle("chosen", x === li));
    chosen = li ? li.dataset.key : null;
    save.disabled = !chosen;
  }
  // the picker opens in view: below the passage (``rect``, in viewport coordinates) if it
  // fits there, else above it, else as low as the viewport lets it
  function place(rect) {
    const gap = 12;
    const margin = 8;
    const header = document.querySelector("header.top");
    const top = Math.max(margin, header ? header.getBoundingClientRect().bottom + margin : margin);
    const width = picker.offsetWidth;
    const height = picker.offsetHeight;
    const bottom = window.innerHeight - margin;
    let y = rect.bottom + gap;
    if (y + height > bottom) {
      y = rect.top - gap - height >= top ? rect.top - gap - height : bottom - height;
    }
    y = Math.max(top, y);
    const x = Math.max(margin, Math.min(rect.left, window.innerWidth - width - margin));
    picker.style.left = `${x + window.scrollX}px`;
    picker.style.top = `${y + window.scrollY}px`;
    const box = picker.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) picker.scrollIntoView({ block: "nearest" });
  }
  function open(rect, label) {
    picker.hidden = false;
    picker.querySelector(".selected-text").textContent = label;
    search.value = "";
    memo.value = "";
    error.hidden = true;
    filter();
    choose(null);
    place(rect);
    search.focus({ preventScroll: true });
  }
  function close() { picker.hidden = true; span = null; changing = null; }
  function filter() {
    const needle = search.value.trim().toLowerCase();
    list.querySelectorAll("li").forEach((li) => { li.hidden = needle && !li.dataset.search.includes(needle); });
  }
  search.addEventListener("input", filter);
  search.addEventListener("keydown", (e) => {
    const visible = [...list.querySelectorAll("li:not([hidden])")];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      let i = visible.findIndex((li) => li.dataset.key === chosen);
      i = e.key === "ArrowDown" ? Math.min(i + 1, visible.length - 1) : Math.max(i - 1, 0);
      choose(visible[i]);
      visible[i].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (!chosen && visible.length) choose(visible[0]);
      if (chosen) save.click();
    } else if (e.key === "Escape") { close(); }
  });
  list.addEventListener("click", (e) => { const li = e.target.closest("li"); if (li) choose(li); });
  list.addEventListener("dblclick", (e) => { const li = e.target.closest("li"); if (li) { choose(li); save.click(); } });
  document.getElementById("picker-cancel").addEventListener("click", close);
  save.addEventListener("click", async () => {
    if (!chosen) return;
    save.disabled = true;
    try {
      if (changing) {
        await api("POST", `/api/codings/${changing}/code`, { code: chosen, note: memo.value || null });
      } else if (span) {
        const result = await api("POST", "/api/codings", { source_id: sourceId, start: span.start, end: span.end, code: chosen, memo: memo.value || null });
        location.hash = `coding-${result.coding_id}`;
      }
      location.reload();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      save.disabled = false;
    }
  });

  if (text.dataset.canCode) {
    text.addEventListener("mouseup", (e) => {
      const sel = window.getSelection();
      if (!sel || sel.isCollapsed || !sel.rangeCount) return;
      const range = sel.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
      const start = offsetOf(range.startContainer, range.startOffset);
      const end = offsetOf(range.endContainer, range.endOffset);
      if (start === null || end === null || end <= start) return;
      span = { start, end };
      changing = null;
      open(range.getBoundingClientRect(), sel.toString().slice(0, 200));
    });
  }

  document.querySelectorAll(".coding .actions button").forEach((button) => {
    button.addEventListener("click", async () => {
      const li = button.closest(".coding");
      const id = li.dataset.id;
      const action = button.dataset.action;
      try {
        if (action === "accept" || action === "reject") {
          await api("POST", `/api/codings/${id}/${action}`, {});
          location.reload();
        } else if (action === "reopen") {
          await api("POST", `/api/codings/${id}/reopen`, { expect: button.dataset.expect });
          location.reload();
        } else if (action === "delete") {
          if (!window.confirm(message("msg-confirm-delete"))) return;
          await api("DELETE", `/api/codings/${id}`);
          location.reload();
        } else if (action === "change") {
          changing = id;
          span = null;
          const rect = button.getBoundingClientRect();
          const at = { left: rect.left - 300, top: rect.top, bottom: rect.bottom };
          open(at, li.querySelector("blockquote").textContent);
        }
      } catch (err) { window.alert(err.message); }
    });
  });

  // clicking a highlight shows its codings in the list
  text.addEventListener("click", (e) => {
    const mark = e.target.closest("mark[data-codings]");
    if (!mark || !window.getSelection().isCollapsed) return;
    document.querySelectorAll(".coding.focus").forEach((x) => x.classList.remove("focus"));
    mark.dataset.codings.split(" ").forEach((id, i) => {
      const li = document.getElementById(`coding-${id}`);
      if (li) { li.classList.add("focus"); if (i === 0) li.scrollIntoView({ block: "nearest" }); }
    });
  });

  const showRejected = document.getElementById("show-rejected");
  if (showRejected) {
    showRejected.addEventListener("change", () => showRejected.submit());
  }

  const memoForm = document.getElementById("memo-form");
  if (memoForm) {
    memoForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/api/memos", { source_id: sourceId, text: memoForm.text.value });
        location.reload();
      } catch (err) { window.alert(err.message); }
    });
  }
}

// -- the review queue: keyboard first ---------------------------------------------------------------
function setupReview() {
  const queue = document.getElementById("queue");
  if (!queue) return;
  const items = [...queue.querySelectorAll("li.item")];
  const progress = document.getElementById("progress");
  let current = 0;
  const canReview = Boolean(queue.dataset.canReview);

  function focus(i) {
    if (!items.length) return;
    current = Math.max(0, Math.min(i, items.length - 1));
    items.forEach((li, j) => li.classList.toggle("current", j === current));
    items[current].focus({ preventScroll: true });
    items[current].scrollIntoView({ block: "center", behavior: "instant" });
  }
  function nextOpen() {
    const i = items.findIndex((li, j) => j > current && !li.classList.contains("done"));
    focus(i === -1 ? current : i);
  }
  async function act(kind, key) {
    const li = items[current];
    if (!canReview || !li || li.classList.contains("done") || li.classList.contains("busy")) return;
    li.classList.add("busy");
    const state = li.querySelector(".state");
    try {
      if (kind === "change") {
        await api("POST", `/api/codings/${li.dataset.id}/code`, { code: key });
        state.textContent = `${message("msg-changed")} ${key}`;
      } else {
        await api("POST", `/api/codings/${li.dataset.id}/${kind}`, {});
        state.textContent = message(kind === "accept" ? "msg-accepted" : "msg-rejected");
      }
      li.classList.add("done", `done-${kind}`);
      const done = items.filter((x) => x.classList.contains("done")).length;
      progress.dataset.reviewedHere = String(done);
      const bar = progress.querySelector("progress");
      if (bar) bar.value = Number(bar.value) + 1;
      const counter = progress.querySelector(`[data-count="${kind}"]`);
      if (counter) counter.textContent = String(Number(counter.textContent) + 1);
      const sentence = document.getElementById("progress-text");
      if (sentence) {
        const reviewed = Number(sentence.dataset.reviewed) + 1;
        sentence.dataset.reviewed = String(reviewed);
        sentence.textContent = sentence.dataset.format
          .replace("%(done)d", String(reviewed))
          .replace("%(total)d", progress.dataset.total);
      }
      nextOpen();
    } catch (err) {
      state.textContent = err.message;
      li.classList.add("failed");
    } finally {
      li.classList.remove("busy");
    }
  }
  items.forEach((li, i) => {
    li.addEventListener("click", () => focus(i));
    li.querySelectorAll("button.alt").forEach((b) => b.addEventListener("click", () => { focus(i); act("change", b.dataset.key); }));
    li.querySelectorAll("button.decide").forEach((b) => b.addEventListener("click", () => { focus(i); act(b.dataset.action); }));
  });
  document.addEventListener("keydown", (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (target && (target.closest("input, textarea, select, [contenteditable]") || target.isContentEditable)) return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || e.isComposing) return;
    const key = reviewKey(e);
    if (!key) return;
    if (e.repeat && key !== "next" && key !== "previous") return;  // a held key decides once
    e.preventDefault();
    if (key === "next") focus(current + 1);
    else if (key === "previous") focus(current - 1);
    else if (key === "accept" || key === "reject") act(key);
    else {
      const b = items[current] && items[current].querySelector(`button.alt[data-n="${key}"]`);
      if (b) act("change", b.dataset.key);
    }
  });
  focus(0);
}

// The review keys by physical key (KeyboardEvent.code), so they work with any layout
// (with a Russian or Kazakh one, "a" is the key that types "ф"); e.key only when the
// browser gives no code.
const REVIEW_CODES = { KeyJ: "next", KeyK: "previous", KeyA: "accept", KeyR: "reject" };
const REVIEW_KEYS = { j: "next", k: "previous", a: "accept", r: "reject" };

function reviewKey(e) {
  const code = e.code || "";
  if (REVIEW_CODES[code]) return REVIEW_CODES[code];
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(code);
  if (digit) return digit[1];
  if (code && code !== "Unidentified") return null;
  if (REVIEW_KEYS[e.key]) return REVIEW_KEYS[e.key];
  return /^[1-9]$/.test(e.key) ? e.key : null;
}

// -- correcting or deleting a source (source page) ----------------------------------------------------
function setupSourceEdit() {
  const form = document.querySelector("form.source-edit-form");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {};
      form.querySelectorAll("[name]").forEach((field) => {
        if (field.value === (field.dataset.initial || "")) return;  // only what changed
        if (field.name === "actors") {
          body.actors = field.value.split(";").map((x) => x.trim()).filter(Boolean);
        } else if (field.name === "attributes") {
          const before = {};
          (field.dataset.initial || "").split("\n").filter(Boolean).forEach((line) => {
            before[line.split("=")[0].trim()] = true;
          });
          body.attributes = {};
          field.value.split("\n").map((x) => x.trim()).filter(Boolean).forEach((line) => {
            const at = line.indexOf("=");
            const key = (at < 0 ? line : line.slice(0, at)).trim();
            body.attributes[key] = at < 0 ? null : line.slice(at + 1).trim() || null;
            delete before[key];
          });
          Object.keys(before).forEach((key) => { body.attributes[key] = null; });  // lines removed
        } else {
          body[field.name] = field.value;
        }
      });
      try {
        await api("PATCH", `/api/sources/${form.dataset.id}`, body);
        location.reload();
      } catch (err) {
        const p = form.querySelector(".error");
        p.textContent = err.message;
        p.hidden = false;
      }
    });
  }
  const del = document.querySelector("form.source-delete-form");
  if (del) {
    del.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!window.confirm(del.querySelector("button").textContent + "?")) return;
      try {
        await api("DELETE", `/api/sources/${del.dataset.id}`);
        location.href = "/";
      } catch (err) {
        const p = del.querySelector(".error");
        p.textContent = err.message;
        p.hidden = false;
      }
    });
  }
}

// -- memos: editing and deleting one's own, project memos -------------------------------------------------
function setupMemos() {
  document.querySelectorAll("[data-memo-id] button.memo-edit").forEach((button) => {
    button.addEventListener("click", async () => {
      const item = button.closest("[data-memo-id]");
      const current = item.querySelector(".memo").textContent;
      const text = window.prompt(button.textContent, current);
      if (text === null || text.trim() === "" || text === current) return;
      try {
        await api("PATCH", `/api/memos/${item.dataset.memoId}`, { text });
        item.querySelector(".memo").textContent = text;
      } catch (err) { window.alert(err.message); }
    });
  });
  document.querySelectorAll("[data-memo-id] button.memo-delete").forEach((button) => {
    button.addEventListener("click", async () => {
      const item = button.closest("[data-memo-id]");
      if (!window.confirm(`${button.textContent}?`)) return;
      try {
        await api("DELETE", `/api/memos/${item.dataset.memoId}`);
        item.remove();
      } catch (err) { window.alert(err.message); }
    });
  });
  const form = document.getElementById("project-memo-form");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/api/memos", { text: new FormData(form).get("text") });
        location.reload();
      } catch (err) {
        const p = form.querySelector(".error");
        p.textContent = err.message;
        p.hidden = false;
      }
    });
  }
}

// -- undoing a review decision (review queue, filter "decided") ------------------------------------------
function setupReopen() {
  document.querySelectorAll("button.reopen").forEach((button) => {
    button.addEventListener("click", async () => {
      const item = button.closest("[data-id]");
      try {
        await api("POST", `/api/codings/${item.dataset.id}/reopen`, { expect: button.dataset.expect });
        item.classList.add("done");
        button.disabled = true;
        item.querySelector(".state").textContent = message("msg-reopened") || "↺";
      } catch (err) { item.querySelector(".state").textContent = err.message; }
    });
  });
}

// -- codebook editing and settings ---------------------------------------------------------------------
function setupCodebook() {
  const fail = (form, err) => {
    const p = form.querySelector(".error");
    p.textContent = err.message;
    p.hidden = false;
  };
  // "label.en" -> body.label.en; "lexicon.ru" (one entry per line) -> body.lexicon.ru = [...]
  const nested = (form) => {
    const body = {};
    new FormData(form).forEach((value, name) => {
      const [field, lang] = name.split(".");
      if (!lang) { body[field] = value; return; }
      body[field] = body[field] || {};
      body[field][lang] = field === "lexicon"
        ? String(value).split("\n").map((x) => x.trim()).filter(Boolean) : value;
    });
    return body;
  };
  document.querySelectorAll("form.code-edit").forEach((form) => {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", `/api/codebook/codes/${encodeURIComponent(form.dataset.key)}`, nested(form));
        location.reload();
      } catch (err) { fail(form, err); }
    });
  });
  document.querySelectorAll("form.code-add").forEach((form) => {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/api/codebook/codes", { dimension: form.dataset.dimension, ...nested(form) });
        location.reload();
      } catch (err) { fail(form, err); }
    });
  });
  document.querySelectorAll("form.code-split").forEach((form) => {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      // "key label words" per line -> [{key, label: {en: label}}]
      const into = String(new FormData(form).get("into") || "").split("\n").map((line) => line.trim())
        .filter(Boolean).map((line) => {
          const [key, ...rest] = line.split(/\s+/);
          return { key, label: { en: rest.join(" ") || key } };
        });
      try {
        await api("POST", form.dataset.url, { into });
        location.href = "/codebook";
      } catch (err) { fail(form, err); }
    });
  });
  document.querySelectorAll("form.code-action").forEach((form) => {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const method = form.dataset.method;
      try {
        await api(method, form.dataset.url, method === "DELETE" ? undefined : nested(form));
        location.href = "/codebook";
      } catch (err) { fail(form, err); }
    });
  });
  const blind = document.getElementById("blind-toggle");
  if (blind) {
    blind.addEventListener("click", async () => {
      try {
        await api("POST", "/api/settings", { blind_coding: blind.dataset.on !== "true" });
        location.reload();
      } catch (err) { window.alert(err.message); }
    });
  }
}

// -- the actor gazetteer ---------------------------------------------------------------------------------
function setupActors() {
  const add = document.querySelector("form.actor-add");
  if (add) {
    add.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/api/actors", Object.fromEntries(new FormData(add).entries()));
        location.reload();
      } catch (err) {
        const p = add.querySelector(".error");
        p.textContent = err.message;
        p.hidden = false;
      }
    });
  }
  const form = document.querySelector("form.actor-name-add");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = Object.fromEntries(new FormData(form).entries());
      try {
        await api("POST", `/api/actors/${encodeURIComponent(form.dataset.key)}/names`, body);
        location.reload();
      } catch (err) {
        const p = form.querySelector(".error");
        p.textContent = err.message;
        p.hidden = false;
      }
    });
  }
  document.querySelectorAll("button.unname").forEach((button) => {
    button.addEventListener("click", async () => {
      const { key, name, lang } = button.dataset;
      try {
        await api("DELETE", `/api/actors/${encodeURIComponent(key)}/names`, { name, lang });
        location.reload();
      } catch (err) { window.alert(err.message); }
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupSource();
  setupReview();
  setupCodebook();
  setupReopen();
  setupSourceEdit();
  setupMemos();
  setupActors();
  if (location.hash.startsWith("#coding-")) {
    const li = document.querySelector(location.hash);
    if (li) { li.classList.add("focus"); li.scrollIntoView({ block: "center" }); }
  }
});
