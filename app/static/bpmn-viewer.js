/* Show a process version's diagram with bpmn-js (NavigatedViewer, global BpmnJS from the npm package).
   The container names the XML to load (data-xml-url) and, optionally, badges per BPMN element id (data-badges,
   e.g. dossiers waiting there) and CSS classes per element id (data-markers). Markers and badges are
   best-effort: an id the diagram lacks is skipped. */
(function () {
  "use strict";
  var container = document.getElementById("bpmn-diagram");
  if (!container) { return; }
  if (!window.BpmnJS) { container.textContent = "Không tải được trình xem sơ đồ (bpmn-js)."; return; }
  var viewer = new window.BpmnJS({ container: container });

  function entries(name) {
    try { return Object.entries(JSON.parse(container.dataset[name] || "{}")); } catch (e) { return []; }
  }

  function decorate() {
    var canvas = viewer.get("canvas");
    var overlays = viewer.get("overlays");
    canvas.zoom("fit-viewport");
    entries("markers").forEach(function (pair) {
      try { canvas.addMarker(pair[0], pair[1]); } catch (e) { /* not in this diagram */ }
    });
    entries("badges").forEach(function (pair) {
      var badge = document.createElement("span");
      badge.className = "diagram-badge";
      badge.textContent = String(pair[1]);
      try { overlays.add(pair[0], { position: { bottom: 8, right: 8 }, html: badge }); } catch (e) { /* idem */ }
    });
  }

  fetch(container.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(decorate)
    .catch(function (error) { container.textContent = "Không hiển thị được sơ đồ: " + error.message; });
}());
