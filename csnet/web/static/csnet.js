/* csnet: the little hand-written script the pages need (no inline scripts: the CSP forbids them).
   - live feed over Server-Sent Events: entries arrive as server-rendered, escaped HTML
   - unread count, FLASH banner and sound
   - auto-submitting selects, confirmations, focus on error summaries
   - map picker and map point (Leaflet), evidence hashing in the browser (the file never leaves it) */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  /* ---------- small behaviours ---------- */
  function wireForms(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) el.form.requestSubmit(); });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
    root.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var note = form.querySelector("[data-busy-note]");
        if (note) note.hidden = false;
        form.setAttribute("aria-busy", "true");
      });
    });
    root.querySelectorAll("input[type=file][data-shrink]").forEach(shrinkPhoto);
    var focus = root.querySelector("[data-focus]");
    if (focus) focus.focus();
  }

  /* A phone photo is several MB; the node reads it at 1,600 px wide anyway, and the request stays
     under the node's body limit. Without canvas support the photo goes as it is. */
  function shrinkPhoto(input) {
    var limit = parseInt(input.getAttribute("data-shrink"), 10);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || file.size <= limit || !window.createImageBitmap || !window.DataTransfer) return;
      window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, 1600 / bitmap.width);
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) return;
          var files = new DataTransfer();
          files.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
          input.files = files.files;
        }, "image/jpeg", 0.85);
      }).catch(function () { /* the photo goes as it is */ });
    });
  }

  /* ---------- live feed ---------- */
  var baseTitle = document.title;
  var unread = 0;

  function showUnread() {
    var badge = document.getElementById("unread-count");
    var shown = unread > 99 ? "99+" : String(unread);
    if (badge) { badge.textContent = shown; badge.hidden = unread === 0; }
    document.title = unread > 0 ? "(" + shown + ") " + baseTitle : baseTitle;
    var line = document.getElementById("feed-unread-text");
    var template = line ? line.getAttribute("data-template") : null;
    if (line && template && unread > 0) {
      line.textContent = template.replace("{n}", shown);
      line.hidden = false;
    }
  }

  function flash(entry) {
    var banner = document.getElementById("flash-banner");
    if (!banner) return;
    var title = entry.querySelector(".entry-title");
    var link = title ? title.querySelector("a") : null;
    banner.textContent = "";
    var label = document.createElement("span");
    label.textContent = (banner.getAttribute("data-label") || "FLASH") + ": ";
    banner.appendChild(label);
    if (link) {
      var a = document.createElement("a");
      a.href = link.getAttribute("href");
      a.textContent = link.textContent;
      banner.appendChild(a);
    }
    banner.hidden = false;
    var sound = document.getElementById("flash-sound");
    if (sound && typeof sound.play === "function") {
      var played = sound.play();
      if (played && played.catch) played.catch(function () { /* autoplay refused: colour still shows */ });
    }
  }

  function prepend(list, html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var entry = holder.content.firstElementChild;
    if (!entry) return;
    if (entry.id && document.getElementById(entry.id)) return; // already shown
    entry.classList.add("is-new");
    list.insertBefore(entry, list.firstChild);
    var empty = document.getElementById("feed-empty");
    if (empty) empty.hidden = true;
    if (window.htmx) window.htmx.process(entry);
    unread += 1;
    showUnread();
    if (entry.getAttribute("data-urgency") === "FLASH") flash(entry);
  }

  function liveFeed() {
    var list = document.querySelector("[data-live-src]");
    if (!list || !window.EventSource) return;
    unread = parseInt(list.getAttribute("data-unread") || "0", 10) || 0;
    showUnread();
    var status = document.getElementById("live-status");
    var source = new EventSource(list.getAttribute("data-live-src"));
    source.addEventListener("open", function () {
      if (status) { status.classList.add("is-live"); status.setAttribute("data-state", "live"); }
    });
    source.addEventListener("error", function () {
      if (status) { status.classList.remove("is-live"); status.setAttribute("data-state", "reconnecting"); }
    });
    source.addEventListener("entry", function (ev) { prepend(list, ev.data); });
    source.addEventListener("gap", function () {
      var notice = document.getElementById("live-gap");
      if (notice) notice.hidden = false;
    });
    document.querySelectorAll("[data-mark-read]").forEach(function (button) {
      button.addEventListener("htmx:afterRequest", function () {
        unread = 0; showUnread();
        list.querySelectorAll(".is-new").forEach(function (el) { el.classList.remove("is-new"); });
      });
    });
  }

  /* ---------- maps (Leaflet, no tiles: country outlines are served by this node) ---------- */
  function basemap(map) {
    var url = document.body.getAttribute("data-countries");
    if (!url) return;
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      window.L.geoJSON(geo, {
        style: { color: "#6b7b8c", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
        interactive: false
      }).addTo(map);
    }).catch(function () { /* outlines are a nicety: the picker works without them */ });
  }

  function mapPicker(el) {
    var lat = document.getElementById(el.getAttribute("data-lat"));
    var lon = document.getElementById(el.getAttribute("data-lon"));
    var map = window.L.map(el, { worldCopyJump: true, attributionControl: false }).setView([34, 35], 3);
    basemap(map);
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng); else marker = window.L.marker(latlng).addTo(map);
    }
    if (lat && lon && lat.value && lon.value) place([parseFloat(lat.value), parseFloat(lon.value)]);
    map.on("click", function (ev) {
      var p = ev.latlng.wrap();
      place(p);
      if (lat) lat.value = p.lat.toFixed(5);
      if (lon) lon.value = p.lng.toFixed(5);
    });
  }

  function mapPoint(el) {
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    var map = window.L.map(el, { attributionControl: false }).setView([lat, lon], 5);
    basemap(map);
    window.L.marker([lat, lon]).addTo(map);
  }

  function maps() {
    if (!window.L) return;
    window.L.Icon.Default.imagePath = document.body.getAttribute("data-leaflet-images") || "";
    document.querySelectorAll("[data-map-picker]").forEach(mapPicker);
    document.querySelectorAll("[data-map-point]").forEach(mapPoint);
  }

  /* ---------- evidence: SHA-256 computed here; only the hash is sent ---------- */
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function evidence() {
    document.querySelectorAll("input[type=file][data-hash-into]").forEach(function (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        var target = document.getElementById(input.getAttribute("data-hash-into"));
        var name = document.getElementById(input.getAttribute("data-name-into"));
        var shown = document.getElementById(input.getAttribute("data-hash-shown"));
        if (!file || !target || !window.crypto || !window.crypto.subtle) return;
        file.arrayBuffer().then(function (data) { return window.crypto.subtle.digest("SHA-256", data); })
          .then(function (digest) {
            target.value = hex(digest);
            if (name && !name.value) name.value = file.name;
            if (shown) shown.textContent = "SHA-256 " + target.value;
          });
      });
    });
  }

  ready(function () {
    wireForms(document);
    liveFeed();
    maps();
    evidence();
    document.body.addEventListener("htmx:afterSwap", function (ev) { wireForms(ev.target); });
  });
})();

/* ---- feed page: "Mark all read" also clears the page's own unread line and FLASH notice ---- */
(function () {
  "use strict";
  document.addEventListener("htmx:afterRequest", function (ev) {
    var el = ev.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-mark-read") || !ev.detail.successful) return;
    ["feed-unread-text", "feed-flash"].forEach(function (id) {
      var node = document.getElementById(id);
      if (node) node.hidden = true;
    });
  });
})();
