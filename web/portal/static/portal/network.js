/* Network explorer: draws the JSON of portal:network-data with cytoscape's preset layout
   (positions come from the server, so the picture is deterministic). */
(function () {
  "use strict";

  var RED = [200, 50, 40];
  var GREY = [190, 190, 190];
  var GREEN = [40, 150, 70];
  var NO_VALUE = "#ffffff";
  // Okabe-Ito and Tableau colours: distinguishable, also for most colour-blind readers.
  var TEAM_PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948",
  ];
  // In layout units: the server places nodes in a 1000 x 1000 box, which is then fit to the view.
  var MIN_SIZE = 24;
  var MAX_SIZE = 80;

  function hex(rgb) {
    return "#" + rgb.map(function (c) {
      return Math.round(c).toString(16).padStart(2, "0");
    }).join("");
  }

  function mix(from, to, t) {
    return from.map(function (c, i) { return c + (to[i] - c) * t; });
  }

  // Diverging red-grey-green on [-1, 1]; values beyond are clamped.
  function affectColour(value) {
    if (value === null || value === undefined) return NO_VALUE;
    var t = Math.max(-1, Math.min(1, value));
    return hex(t < 0 ? mix(GREY, RED, -t) : mix(GREY, GREEN, t));
  }

  function teamColours(nodes) {
    var teams = Array.from(new Set(nodes.map(function (n) { return n.team; })
      .filter(function (t) { return t; }))).sort();
    var colours = new Map();
    teams.forEach(function (team, i) { colours.set(team, TEAM_PALETTE[i % TEAM_PALETTE.length]); });
    return colours;
  }

  function nodeSize(betweenness, highest) {
    if (!betweenness || !highest) return MIN_SIZE;
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt(betweenness / highest);
  }

  function elements(data, teams) {
    var highest = Math.max.apply(null, [0].concat(data.nodes.map(function (n) {
      return n.betweenness || 0;
    })));
    var heaviest = Math.max.apply(null, [1].concat(data.edges.map(function (e) { return e.weight; })));
    var nodes = data.nodes.map(function (n) {
      return {
        group: "nodes",
        data: {
          id: String(n.id),
          label: n.label,
          url: n.url,
          size: nodeSize(n.betweenness, highest),
          affectColour: affectColour(n.affect_exposure),
          teamColour: n.team ? teams.get(n.team) : NO_VALUE,
          centre: data.scope.kind === "person" && n.id === data.scope.id,
        },
        position: { x: n.x, y: n.y },
      };
    });
    var edges = data.edges.map(function (e) {
      return {
        group: "edges",
        data: {
          id: "e" + e.source + "-" + e.target,
          source: String(e.source),
          target: String(e.target),
          width: 2 + 10 * Math.sqrt(e.weight / heaviest),
        },
      };
    });
    return nodes.concat(edges);
  }

  function styles() {
    return [
      {
        selector: "node",
        style: {
          "background-color": "data(affectColour)",
          "border-width": 1,
          "border-color": "#555",
          width: "data(size)",
          height: "data(size)",
          label: "data(label)",
          "font-size": 18,
          "text-valign": "bottom",
          "text-margin-y": 4,
          color: "#333",
        },
      },
      { selector: "node[?centre]", style: { "border-width": 5, "border-color": "#000" } },
      {
        selector: "edge",
        style: { width: "data(width)", "line-color": "#9aa", opacity: 0.55, "curve-style": "haystack" },
      },
      { selector: "node:active, node:selected", style: { "overlay-opacity": 0.15 } },
    ];
  }

  function swatch(colour, text, className) {
    var item = document.createElement("span");
    item.className = "legend-item";
    var mark = document.createElement("span");
    mark.className = className || "legend-swatch";
    mark.style.background = colour;
    item.appendChild(mark);
    item.appendChild(document.createTextNode(text));
    return item;
  }

  function drawLegend(legend, mode, teams) {
    legend.replaceChildren();
    if (mode === "team") {
      teams.forEach(function (colour, team) { legend.appendChild(swatch(colour, team)); });
      legend.appendChild(swatch(NO_VALUE, "no team"));
    } else {
      var scale = "linear-gradient(to right, " + affectColour(-1) + ", " + affectColour(0) +
        ", " + affectColour(1) + ")";
      legend.appendChild(swatch(scale, "affect exposure: −1 (negative) … 0 … +1 (positive)",
        "legend-scale"));
      legend.appendChild(swatch(NO_VALUE, "no value"));
    }
    legend.appendChild(document.createTextNode("Size: betweenness."));
  }

  function describe(data) {
    var text = data.nodes.length + " people, " + data.edges.length + " pairs who interacted";
    if (data.run) {
      text += ", " + data.run.window_start.slice(0, 10) + " to " + data.run.window_end.slice(0, 10);
    }
    if (data.truncated) {
      text += ". Showing the " + data.nodes.length + " best-connected of " + data.total_nodes +
        " people.";
    }
    return text;
  }

  function draw(container, status, legend, data) {
    if (data.withheld) {
      status.textContent = "Withheld: " + data.scope.label + " has fewer than " +
        data.min_group_size + " members who can be shown.";
      container.dataset.nodeCount = "0";
      return;
    }
    var teams = teamColours(data.nodes);
    var cy = window.cytoscape({
      container: container,
      elements: elements(data, teams),
      layout: { name: "preset", fit: true, padding: 30 },
      style: styles(),
      minZoom: 0.1,
      maxZoom: 4,
    });
    cy.on("tap", "node", function (event) { window.location.assign(event.target.data("url")); });
    var modes = document.querySelectorAll("#colour-by input[name=colour]");
    function recolour() {
      var mode = document.querySelector("#colour-by input[name=colour]:checked").value;
      cy.style().selector("node").style("background-color",
        mode === "team" ? "data(teamColour)" : "data(affectColour)").update();
      drawLegend(legend, mode, teams);
    }
    modes.forEach(function (input) { input.addEventListener("change", recolour); });
    recolour();
    status.textContent = describe(data);
    container.dataset.nodeCount = String(cy.nodes().length);
  }

  function load(container, status, legend) {
    fetch(container.dataset.source, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          status.textContent = answer.body.error || "The network could not be loaded.";
          container.dataset.nodeCount = "0";
          return;
        }
        draw(container, status, legend, answer.body);
      })
      .catch(function () {
        status.textContent = "The network could not be loaded.";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var picker = document.getElementById("context-picker");
    if (picker) {
      picker.addEventListener("change", function () { if (picker.value) picker.form.submit(); });
    }
    var container = document.getElementById("network");
    if (container && container.dataset.source) {
      load(container, document.getElementById("network-status"),
        document.getElementById("network-legend"));
    }
  });
})();
