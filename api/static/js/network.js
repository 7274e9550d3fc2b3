/*
 * The network view of /network: draws the JSON of /network/data (its URL in #network's data-src) with the
 * vendored vis-network (window.vis), nothing from another host.
 *
 * Nodes: agencies as dots and agency groups as diamonds, coloured by agency type (legend built from the
 * data's `legend.families`); tasks as boxes. Edges styled by role from the data's `legend.roles` (lead solid
 * thick, assist solid thin, responsible dashed, inferred dotted grey). Filters by plan, jurisdiction and role
 * hide edges, then the nodes left without one. Clicking a node opens its page; clicking an edge shows the
 * plan's words in #edge-info (and, for an inferred edge, the reasoning from /network/why).
 * Large networks (data.large) settle briefly, then physics stops, with straight edges and no hover.
 * Text from the store is only ever set with textContent. When drawn, #network gets data-state="ready"
 * ("error" on failure) and window.dutygraphNetwork exposes the network for tests.
 */
(function () {
  "use strict";

  var container = document.getElementById("network");
  var statusElement = document.getElementById("network-status");
  var info = document.getElementById("edge-info");
  if (!container) {
    return;
  }
  var source = container.getAttribute("data-src");
  if (!source) {
    return;
  }

  function setStatus(text, isError) {
    statusElement.textContent = text;
    statusElement.classList.toggle("error", Boolean(isError));
  }

  var clear = window.dutygraphDom.clear; // from /static/js/dom.js
  var append = window.dutygraphDom.append;

  function problem(body, response) {
    if (body && typeof body.detail === "string") {
      return body.detail;
    }
    if (body && body.detail && body.detail.message) {
      return body.detail.message;
    }
    return response.status + " " + response.statusText;
  }

  if (!window.vis) {
    container.setAttribute("data-state", "error");
    setStatus("无法载入 vis-network / vis-network did not load", true);
    return;
  }

  setStatus("载入中… / loading…");
  fetch(source, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(problem(body, response));
        }
        return body;
      });
    })
    .then(draw)
    .catch(function (error) {
      container.setAttribute("data-state", "error");
      setStatus(error.message || String(error), true);
    });

  function draw(data) {
    var roleStyles = {};
    data.legend.roles.forEach(function (style) {
      roleStyles[style.role] = style;
    });
    var familyColours = {};
    data.legend.families.forEach(function (family) {
      familyColours[family.key] = family.colour;
    });
    var planTitles = {};
    data.filters.plans.forEach(function (plan) {
      planTitles[plan.id] = plan.title;
    });
    var nodeById = {};
    data.nodes.forEach(function (node) {
      nodeById[node.id] = node;
    });
    var edgeById = {};
    data.edges.forEach(function (edge) {
      edgeById[edge.id] = edge;
    });
    var large = Boolean(data.large);

    var nodes = new vis.DataSet(
      data.nodes.map(function (node) {
        if (node.kind === "task") {
          return {
            id: node.id,
            label: node.label,
            title: node.title,
            shape: "box",
            margin: 4,
            color: { background: "#f3ecd9", border: "#8a7f66" },
            font: { size: 12 },
          };
        }
        return {
          id: node.id,
          label: node.label,
          title: node.title,
          shape: node.kind === "group" ? "diamond" : "dot",
          size: node.centre ? 22 : 12,
          borderWidth: node.centre ? 4 : 1,
          color: { background: familyColours[node.family] || "#bbbbbb", border: node.centre ? "#000000" : "#555555" },
          font: { size: node.centre ? 16 : 13 },
        };
      })
    );
    var edges = new vis.DataSet(
      data.edges.map(function (edge) {
        var style = roleStyles[edge.role];
        return {
          id: edge.id,
          from: edge.from,
          to: edge.to,
          width: style.width,
          dashes: style.dashes.length ? style.dashes : false,
          color: { color: style.colour, highlight: style.colour, hover: style.colour, opacity: 0.9 },
        };
      })
    );

    // --- filters -------------------------------------------------------------------------------------
    var planFilter = document.getElementById("filter-plan");
    var jurisdictionFilter = document.getElementById("filter-jurisdiction");
    var roleBoxes = Array.prototype.slice.call(document.querySelectorAll("#filter-roles input[type=checkbox]"));
    data.filters.plans.forEach(function (plan) {
      var option = append(planFilter, "option", plan.title);
      option.value = plan.id;
    });
    data.filters.jurisdictions.forEach(function (place) {
      var option = append(jurisdictionFilter, "option", place.name);
      option.value = place.code;
    });

    var visibleNodes = {};
    var visibleEdges = {};
    function computeVisible() {
      var roles = {};
      roleBoxes.forEach(function (box) {
        roles[box.value] = box.checked;
      });
      var plan = planFilter.value;
      var place = jurisdictionFilter.value;
      visibleNodes = {};
      visibleEdges = {};
      data.edges.forEach(function (edge) {
        var agency = nodeById[edge.from];
        var task = nodeById[edge.to];
        if (roles[edge.role] === false) {
          return;
        }
        if (plan && task.plan !== plan) {
          return;
        }
        if (place && agency.jurisdiction !== place) {
          return;
        }
        visibleEdges[edge.id] = true;
        visibleNodes[edge.from] = true;
        visibleNodes[edge.to] = true;
      });
      if (data.centre && nodeById[data.centre]) {
        visibleNodes[data.centre] = true;
      }
    }
    computeVisible();
    var nodesView = new vis.DataView(nodes, {
      filter: function (node) {
        return Boolean(visibleNodes[node.id]);
      },
    });
    var edgesView = new vis.DataView(edges, {
      filter: function (edge) {
        return Boolean(visibleEdges[edge.id]);
      },
    });

    function describeCounts() {
      var agencies = 0;
      var tasks = 0;
      Object.keys(visibleNodes).forEach(function (id) {
        if (nodeById[id].kind === "task") {
          tasks += 1;
        } else {
          agencies += 1;
        }
      });
      var shown = Object.keys(visibleEdges).length;
      setStatus(agencies + " 个单位 · " + tasks + " 项任务 · " + shown + " 条关系 / agencies · tasks · edges");
    }

    function refilter() {
      computeVisible();
      nodesView.refresh();
      edgesView.refresh();
      describeCounts();
    }
    planFilter.addEventListener("change", refilter);
    jurisdictionFilter.addEventListener("change", refilter);
    roleBoxes.forEach(function (box) {
      box.addEventListener("change", refilter);
    });

    // --- legend of agency types ----------------------------------------------------------------------
    var familyList = document.getElementById("legend-families");
    clear(familyList);
    data.legend.families.forEach(function (family) {
      var item = append(familyList, "li");
      item.setAttribute("data-family", family.key);
      var swatch = append(item, "span", null, "swatch");
      swatch.style.backgroundColor = family.colour;
      item.appendChild(document.createTextNode(family.label));
    });

    // --- drawing -------------------------------------------------------------------------------------
    var options = {
      layout: { improvedLayout: !large, randomSeed: 7 },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -55, springLength: 90, avoidOverlap: 0.2 },
        stabilization: { enabled: true, iterations: large ? 150 : 400, updateInterval: 25 },
      },
      interaction: {
        hover: !large,
        tooltipDelay: 150,
        hideEdgesOnDrag: large,
        hideEdgesOnZoom: large,
        keyboard: false,
      },
      edges: { smooth: large ? false : { enabled: true, type: "continuous", roundness: 0.3 }, selectionWidth: 2 },
      nodes: { font: { face: "system-ui, 'Noto Sans CJK SC', sans-serif" } },
    };
    var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
    // The layout settles, then stays put: no drifting while reading, and thousands of nodes stay usable.
    network.on("stabilizationProgress", function (progress) {
      setStatus("布局中… / laying out… " + Math.round((100 * progress.iterations) / progress.total) + "%");
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      describeCounts();
      container.setAttribute("data-state", "ready");
    });
    describeCounts();

    network.on("click", function (params) {
      if (params.nodes.length) {
        var node = nodeById[params.nodes[0]];
        if (node && node.url && node.url.charAt(0) === "/") {
          window.location.assign(node.url);
        }
        return;
      }
      if (params.edges.length) {
        showEdge(edgeById[params.edges[0]]);
      }
    });

    // --- the edge panel ------------------------------------------------------------------------------
    function roleLabel(role) {
      var style = roleStyles[role];
      return style ? style.label_zh + " / " + style.label_en : role;
    }

    function showEdge(edge) {
      if (!edge) {
        return;
      }
      clear(info);
      info.setAttribute("data-edge", edge.id);
      append(info, "h2", edge.agency_label + " — " + edge.task_key);
      append(info, "p", roleLabel(edge.role), "role");
      if (edge.task_title) {
        append(info, "p", edge.task_title, "task-title");
      }
      if (edge.plan && planTitles[edge.plan]) {
        append(info, "p", "方案 / Plan: " + planTitles[edge.plan], "plan");
      }
      if (edge.written.length) {
        append(info, "h3", "方案写作 / As the plan writes it");
        edge.written.forEach(function (written) {
          var quote = append(info, "blockquote", null, "as-written");
          quote.textContent =
            "「" + written.as_written + "」 " + roleLabel(written.role) + (written.where ? "，" + written.where : "");
        });
      }
      if (edge.task_text) {
        append(info, "h3", "任务原文 / The task's sentence");
        append(info, "blockquote", edge.task_text, "task-text");
      }
      var links = append(info, "p", null, "links");
      var agency = nodeById[edge.from];
      var task = nodeById[edge.to];
      [
        [agency, "单位页面 / agency page"],
        [task, "任务页面 / task page"],
      ].forEach(function (pair) {
        if (pair[0] && pair[0].url) {
          var link = append(links, "a", pair[1]);
          link.href = pair[0].url;
          links.appendChild(document.createTextNode(" "));
        }
      });
      if (edge.inferred) {
        append(info, "h3", "推理依据 / Why");
        var why = append(info, "p", "载入中… / loading…", "why");
        var query = new URLSearchParams({ agency: edge.from, task: edge.to });
        fetch("/network/why?" + query.toString(), { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.json().then(function (body) {
              if (!response.ok) {
                throw new Error(problem(body, response));
              }
              return body;
            });
          })
          .then(function (body) {
            why.textContent = body.text;
          })
          .catch(function (error) {
            why.textContent = error.message || String(error);
          });
      }
    }

    window.dutygraphNetwork = {
      network: network,
      data: data,
      showEdge: function (id) {
        showEdge(edgeById[id]);
      },
    };
  }
})();
