/* Tooltip for the maps of sozialraum.interaktiv: on hover and on keyboard focus.
   Progressive enhancement: without this script the SVG shows the same text as its <title>.
   Reads names and values only with textContent; never evaluates anything from the page. */
(function () {
  "use strict";
  if (window.sozialraumKarte) { return; }
  window.sozialraumKarte = true;

  function zeilen(el) {
    if (!el.sozialraumZeilen) {
      var t = el.querySelector("title");
      el.sozialraumZeilen = t ? t.textContent.split("\n") : [el.getAttribute("aria-label") || ""];
      if (t) { t.parentNode.removeChild(t); } /* no second, native tooltip */
    }
    return el.sozialraumZeilen;
  }

  function einrichten(fig) {
    var svg = fig.querySelector("svg");
    if (!svg) { return; }
    var tip = document.createElement("div");
    tip.className = "ikarte-tip";
    tip.setAttribute("role", "tooltip");
    tip.setAttribute("aria-hidden", "true"); /* the area's aria-label already says it all */
    tip.hidden = true;
    fig.appendChild(tip);
    /* the active area's outline on top of its neighbours (a copy of our own path data) */
    var rand = document.createElementNS("http://www.w3.org/2000/svg", "path");
    rand.setAttribute("class", "ikarte-markierung");
    rand.setAttribute("aria-hidden", "true");
    svg.appendChild(rand);
    var aktiv = null;

    function gebiet(node) {
      while (node && node !== svg) {
        if (node.getAttribute && node.getAttribute("data-gebiet") !== null) { return node; }
        node = node.parentNode;
      }
      return null;
    }

    function zeigen(el, x, y) {
      if (aktiv !== el) {
        if (aktiv) { aktiv.classList.remove("aktiv"); }
        aktiv = el;
        el.classList.add("aktiv");
        var form = el.tagName.toLowerCase() === "path" ? el : el.querySelector("path");
        rand.setAttribute("d", form ? form.getAttribute("d") || "" : "");
        var z = zeilen(el);
        tip.textContent = "";
        for (var i = 0; i < z.length; i++) {
          var zeile = document.createElement(i === 0 ? "strong" : "span");
          zeile.textContent = z[i];
          tip.appendChild(zeile);
        }
        tip.hidden = false;
      }
      var box = fig.getBoundingClientRect();
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var left = x - box.left + 14, top = y - box.top + 14;
      if (left + w > fig.clientWidth) { left = Math.max(0, x - box.left - w - 14); }
      if (top + h > fig.clientHeight) { top = Math.max(0, y - box.top - h - 14); }
      tip.style.left = left + "px";
      tip.style.top = top + "px";
    }

    function verbergen() {
      if (aktiv) { aktiv.classList.remove("aktiv"); }
      aktiv = null;
      tip.hidden = true;
      rand.setAttribute("d", "");
    }

    svg.addEventListener("mousemove", function (ev) {
      var el = gebiet(ev.target);
      if (el) { zeigen(el, ev.clientX, ev.clientY); } else { verbergen(); }
    });
    svg.addEventListener("mouseleave", verbergen);
    /* focus events on the figure: Chromium makes an SVG element with focus listeners focusable */
    fig.addEventListener("focusin", function (ev) {
      var el = gebiet(ev.target);
      if (!el) { return; }
      var r = el.getBoundingClientRect(); /* beside the area, so that its outline stays visible */
      zeigen(el, r.right - 8, r.bottom - 8);
    });
    fig.addEventListener("focusout", verbergen);
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" || ev.key === "Esc") { verbergen(); }
    });
    /* the native tooltips go as soon as the script runs, not only on the first hover */
    var alle = svg.querySelectorAll("[data-gebiet]");
    for (var i = 0; i < alle.length; i++) { zeilen(alle[i]); }
  }

  function start() {
    var karten = document.querySelectorAll("[data-ikarte]");
    for (var i = 0; i < karten.length; i++) { einrichten(karten[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
