// The sandbox phone: one customer's WeChat, drawn from /phone/api/* and refreshed by polling.
"use strict";

const params = new URLSearchParams(location.search);
const customer = params.get("customer");
const $ = (id) => document.getElementById(id);
let view = { name: customer ? "home" : "picker" };
let menuOpen = true;

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

async function api(path, body) {
  const url = "api/" + path;
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ customer, ...body }),
  };
  const response = await fetch(url, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function q(extra) {
  return "?" + new URLSearchParams({ customer, ...extra }).toString();
}

function bar(title, { back = false, plus = false } = {}) {
  $("title").innerHTML = title;
  $("back").hidden = !back;
  $("plus").hidden = !plus;
}

function notice(text) {
  const main = $("screen");
  const div = document.createElement("div");
  div.className = "notice";
  div.textContent = text;
  main.prepend(div);
  setTimeout(() => div.remove(), 4000);
}

function hhmm(at) {
  if (!at) return "";
  const d = new Date(at * 1000);
  return d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
}

function avatar(kind, name) {
  return `<div class="avatar ${kind}">${esc((name || "?").slice(0, 1))}</div>`;
}

function row(kind, name, last, tags, onclick) {
  return `<div class="row" data-go='${esc(JSON.stringify(onclick))}'>${avatar(kind, name)}
    <div class="body"><div class="name">${esc(name)} ${tags || ""}</div>
    <div class="last">${esc(last || "")}</div></div></div>`;
}

function fen(amount) {
  return amount == null ? "" : "¥" + (amount / 100).toFixed(2);
}

// screens -----------------------------------------------------------------------------------

async function showPicker() {
  bar('选择顾客<span class="sub">Choose a customer</span>');
  $("footer").innerHTML = "";
  const search = `<div class="search"><input id="find" placeholder="搜索 openid / 昵称 Search"></div>`;
  const data = await api("customers" + (view.q ? "?q=" + encodeURIComponent(view.q) : ""));
  const rows = data.customers.map((c) => `<a class="row" href="?customer=${encodeURIComponent(c.id)}">
      ${avatar("person", c.nickname)}<div class="body"><div class="name">${esc(c.nickname)}
      ${c.following ? '<span class="tag">已关注</span>' : ""}</div>
      <div class="last">${esc(c.where)} · ${esc(c.id)}</div></div></a>`).join("");
  $("screen").className = "";
  $("screen").innerHTML = search + (rows || `<div class="empty">还没有顾客<br>No customers yet: load a scenario or create followers.</div>`);
  const find = $("find");
  find.value = view.q || "";
  find.onchange = () => { view.q = find.value; render(); };
}

async function showHome() {
  const data = await api("home" + q({}));
  view.home = data;
  bar(`微信<span class="sub">${esc(data.me.nickname)} · WeChat</span>`, { plus: true });
  $("footer").innerHTML = "";
  let html = "";
  for (const p of data.red_packets) {
    html += `<div class="packet"><div class="amount">${fen(p.amount)}</div>
      <div class="info">微信转账 · 待确认收款<span class="sub" style="color:#ffe">${esc(p.remark || "Transfer waiting for you")}</span></div>
      <button data-confirm='${esc(JSON.stringify(p))}'>确认收款<span class="sub" style="color:#e77d1f">Confirm</span></button></div>`;
  }
  for (const c of data.chats) {
    if (c.kind === "folder") {
      html += row("folder", "订阅号消息", c.last, '<span class="sub">Subscriptions</span>', { name: "folder" });
    } else {
      html += row("oa", c.name, c.last || (c.following ? "" : "已取消关注 unfollowed"), "", { name: "chat", appid: c.appid });
    }
  }
  for (const s of data.staff) {
    html += row("staff", s.name, "企业微信联系人 WeCom contact", '<span class="tag wecom">@企业微信</span>',
      { name: "wecom", corpid: s.corpid, userid: s.userid, title: s.name });
  }
  for (const g of data.groups) {
    html += row("group", `${g.name}(${g.members})`, "群聊 Group chat", "",
      { name: "wecom", corpid: g.corpid, chat_id: g.chat_id, title: g.name });
  }
  $("screen").className = "";
  $("screen").innerHTML = html || `<div class="empty">暂无聊天<br>No chats yet: tap ⊕ to scan a code.</div>`;
}

async function showFolder() {
  const data = await api("home" + q({}));
  const folder = data.chats.find((c) => c.kind === "folder");
  bar('订阅号消息<span class="sub">Subscriptions</span>', { back: true });
  $("footer").innerHTML = "";
  $("screen").className = "";
  $("screen").innerHTML = (folder ? folder.accounts : []).map((c) =>
    row("oa", c.name, c.last, "", { name: "chat", appid: c.appid })).join("");
}

function messageHtml(m) {
  if (m.from === "customer") {
    return `<div class="msg me">${avatar("person", "我")}<div class="bubble">${esc(m.content)}</div></div>`;
  }
  const msg = m.message || {};
  const via = m.via ? `<span class="via">${esc(m.via)}</span>` : "";
  if (m.via === "system") {
    return `<div class="msg"><div class="bubble system">${esc(msg.content)}</div></div>`;
  }
  let inner;
  const articles = msg.articles || (msg.news && msg.news.articles) || null;
  if (articles && articles.length) {
    const a = articles[0];
    inner = `<div class="bubble card"><div class="t">${esc(a.Title || a.title)}</div>
      <div class="d">${esc(a.Description || a.description || "")}</div>${via}</div>`;
  } else {
    let text = msg.content || (msg.text && msg.text.content);
    if (!text && msg.msgtype === "mpnews") text = "[图文消息] Article";
    if (!text && msg.msgtype === "image") text = "[图片] Image";
    if (!text && msg.msgtype === "voice") text = "[语音] Voice";
    if (!text && msg.msgtype === "miniprogrampage") text = "[小程序] " + ((msg.miniprogrampage || {}).title || "");
    if (!text && msg.data) text = Object.values(msg.data).map((v) => v.value).join("\n");
    inner = `<div class="bubble">${esc(text || "[" + (msg.msgtype || "message") + "]")}${via}</div>`;
  }
  return `<div class="msg">${avatar("oa", view.title)}${inner}</div>`;
}

function wecomMessageHtml(m) {
  const msg = m.message || {};
  let text = (msg.text && msg.text.content) || "";
  for (const a of msg.attachments || []) {
    const part = a[a.msgtype] || {};
    text += `\n[${a.msgtype}] ${part.title || part.url || part.pic_url || part.media_id || ""}`;
  }
  const who = m.from_userid || "staff";
  const via = `<span class="via">${esc(who)} · ${esc(m.via)}</span>`;
  return `<div class="msg">${avatar("staff", who)}<div class="bubble">${esc(text.trim())}${via}</div></div>`;
}

function scrollDown() {
  const main = $("screen");
  main.scrollTop = main.scrollHeight;
}

function menuHtml(menu) {
  const items = menu.map((b, i) => {
    const subs = b.sub_button && b.sub_button.length
      ? `<div class="submenu" id="sub${i}" hidden>${b.sub_button.map((s) =>
          `<button data-menu='${esc(JSON.stringify(s))}'>${esc(s.name)}</button>`).join("")}</div>` : "";
    const data = subs ? `data-open="sub${i}"` : `data-menu='${esc(JSON.stringify(b))}'`;
    return `<div class="item">${subs}<button ${data}>${subs ? "≡ " : ""}${esc(b.name)}</button></div>`;
  }).join("");
  return `<div class="menubar"><button class="toggle" data-toggle="1" title="keyboard">⌨</button>${items}</div>`;
}

function inputHtml(hasMenu) {
  return `<div class="inputbar">${hasMenu ? '<button class="toggle" data-toggle="1" title="menu">☰</button>' : ""}
    <input id="text" placeholder="发消息 Message" autocomplete="off">
    <button class="primary" id="sendbtn">发送</button></div>`;
}

async function showChat() {
  const data = await api("chat" + q({ appid: view.appid }));
  view.title = data.account.name;
  const kind = data.account.kind === "service" ? "服务号 Service account" : "订阅号 Subscription account";
  bar(`${esc(data.account.name)}<span class="sub">${kind}</span>`, { back: true });
  const main = $("screen");
  const atBottom = main.scrollTop + main.clientHeight >= main.scrollHeight - 20;
  main.className = "chat";
  let html = "";
  let last = 0;
  for (const m of data.messages) {
    if (m.at - last > 300) html += `<div class="time">${hhmm(m.at)}</div>`;
    last = m.at;
    html += messageHtml(m);
  }
  if (!data.following) {
    html += `<div style="text-align:center;margin:20px"><button class="primary" data-follow="1">关注公众号 Follow</button></div>`;
  }
  main.innerHTML = html || `<div class="empty">还没有消息 No messages yet</div>`;
  if (view.fresh || atBottom) scrollDown();
  const hasMenu = data.menu.length > 0;
  if (view.fresh || view.footerFor !== view.appid) {
    $("footer").innerHTML = !data.following ? "" : (hasMenu && menuOpen ? menuHtml(data.menu) : inputHtml(hasMenu));
    view.footerFor = view.appid;
  }
  view.fresh = false;
}

async function showWecom() {
  bar(`${esc(view.title)}<span class="sub">${view.chat_id ? "群聊 Group chat" : "企业微信 WeCom"}</span>`, { back: true });
  const extra = view.chat_id ? { corpid: view.corpid, chat_id: view.chat_id } : { corpid: view.corpid, userid: view.userid };
  const data = await api("wecom" + q(extra));
  $("screen").className = "chat";
  $("screen").innerHTML = data.messages.map(wecomMessageHtml).join("") ||
    `<div class="empty">还没有消息 No messages yet</div>`;
  $("footer").innerHTML = "";
  if (view.fresh) scrollDown();
  view.fresh = false;
}

function showScanSheet() {
  const codes = (view.home && view.home.codes) || [];
  const group = (kind, title) => {
    const items = codes.filter((c) => c.kind === kind);
    if (!items.length) return "";
    return `<div class="section">${title}</div>` + items.map((c) =>
      `<div class="row" data-scan='${esc(JSON.stringify(c))}'>${avatar(kind === "oa" ? "oa" : kind === "join" ? "group" : "staff", c.label)}
       <div class="body"><div class="name">${esc(c.label)}</div></div></div>`).join("");
  };
  const body = group("oa", "公众号二维码 Official-account codes") + group("staff", "联系我 Staff codes") +
    group("join", "加入群聊 Group codes");
  $("sheet").innerHTML = `<div class="panel"><h2>扫一扫<span class="sub">Scan a code</span></h2>
    ${body || '<div class="empty">没有可扫描的二维码 No codes to scan</div>'}</div>`;
  $("sheet").hidden = false;
}

const screens = { picker: showPicker, home: showHome, folder: showFolder, chat: showChat, wecom: showWecom };
const stack = [];

async function render() {
  try {
    await screens[view.name]();
  } catch (err) {
    notice(err.message);
  }
}

function go(next) {
  stack.push(view);
  view = { ...next, fresh: true };
  menuOpen = true;
  render();
}

// events ------------------------------------------------------------------------------------

document.addEventListener("click", async (event) => {
  const el = event.target.closest("[data-go],[data-menu],[data-open],[data-toggle],[data-scan],[data-confirm],[data-follow],#sendbtn");
  if (!el) {
    if (event.target.id === "sheet") $("sheet").hidden = true;
    return;
  }
  try {
    if (el.dataset.go) go(JSON.parse(el.dataset.go));
    else if (el.dataset.open) { const sub = $(el.dataset.open); const wasHidden = sub.hidden; document.querySelectorAll(".submenu").forEach((s) => (s.hidden = true)); sub.hidden = !wasHidden; }
    else if (el.dataset.menu) {
      const b = JSON.parse(el.dataset.menu);
      document.querySelectorAll(".submenu").forEach((s) => (s.hidden = true));
      await api("menu", { appid: view.appid, type: b.type, key: b.key, url: b.url });
      if (b.type === "view") notice("打开网页 Opened " + b.url);
      view.fresh = true; render();
    } else if (el.dataset.toggle) { menuOpen = !menuOpen; view.footerFor = null; render(); }
    else if (el.dataset.scan) {
      const c = JSON.parse(el.dataset.scan);
      $("sheet").hidden = true;
      const result = await api("scan", c);
      notice("已扫描 Scanned: " + c.label);
      if (c.kind === "oa") go({ name: "chat", appid: c.appid }); else render();
      return result;
    } else if (el.dataset.confirm) {
      const p = JSON.parse(el.dataset.confirm);
      await api("transfer", { mchid: p.mchid, out_bill_no: p.out_bill_no });
      notice("已收款 Received " + fen(p.amount));
      render();
    } else if (el.dataset.follow) { await api("follow", { appid: view.appid, follow: true }); view.fresh = true; render(); }
    else if (el.id === "sendbtn") sendText();
  } catch (err) {
    notice(err.message);
  }
});

async function sendText() {
  const input = $("text");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  try {
    await api("send", { appid: view.appid, text });
    view.fresh = true;
    await render();
  } catch (err) {
    notice(err.message);
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.id === "text") sendText();
});
$("back").onclick = () => { view = stack.pop() || { name: "home" }; view.fresh = true; view.footerFor = null; render(); };
$("plus").onclick = showScanSheet;

render();
setInterval(() => {
  if (view.name !== "picker" && $("sheet").hidden) render();
}, 2000);
