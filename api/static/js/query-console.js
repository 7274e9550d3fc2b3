/*
 * The SPARQL console of /query: Yasqe (editor) and Yasr (results table) from the vendored YASGUI bundle.
 *
 * Nothing may load from another host, so before the editor is created:
 *  - the endpoint is our own /sparql (POST form `query=`, JSON results), never YASGUI's default DBpedia;
 *  - the `property` and `class` autocompleters are removed (they fetch from lov.linkeddata.es) and
 *    `prefixCcApi` stays null (prefix completion uses the list inside the bundle, not prefix.cc);
 *  - no CORS proxy, no endpoint catalogue (the Yasgui tab UI is not used at all);
 *  - persistence is local: the editor text under the localStorage key "dutygraph-query", results not stored.
 * Library examples and prefixes come from the page as JSON (#console-config); text from the store is only
 * ever set with textContent.
 */
(function () {
  "use strict";

  var configElement = document.getElementById("console-config");
  var editorElement = document.getElementById("editor");
  var resultsElement = document.getElementById("results");
  var runButton = document.getElementById("run");
  var downloadButton = document.getElementById("download-csv");
  var statusElement = document.getElementById("status");
  var picker = document.getElementById("examples");
  var infoElement = document.getElementById("example-info");
  if (!configElement || !editorElement || !resultsElement || !window.Yasgui) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var examples = {};
  config.examples.forEach(function (example) {
    examples[example.name] = example;
  });

  var Yasqe = window.Yasgui.Yasqe;
  var Yasr = window.Yasgui.Yasr;
  delete Yasqe.Autocompleters.property;
  delete Yasqe.Autocompleters["class"];
  Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasqe.defaults.prefixCcApi = null;

  var endpoint = new URL(config.endpoint, window.location.href).href;
  var yasqe = new Yasqe(editorElement, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
      acceptHeaderUpdate: "text/plain,*/*;q=0.9",
      namedGraphs: [],
      defaultGraphs: [],
      args: [],
      headers: {},
    },
    autocompleters: ["variables", "prefixes"],
    prefixCcApi: null,
    persistenceId: "dutygraph-query",
    showQueryButton: false,
    createShareableLink: null,
    consumeShareLink: null,
    resizeable: true,
    editorHeight: "320px",
  });
  var yasr = new Yasr(resultsElement, {
    persistenceId: null,
    prefixes: config.prefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table",
  });

  function setStatus(text, isError) {
    statusElement.textContent = text;
    statusElement.classList.toggle("error", Boolean(isError));
  }

  var clear = window.dutygraphDom.clear; // from /static/js/dom.js
  var append = window.dutygraphDom.append;

  function showInfo(example) {
    clear(infoElement);
    if (!example) {
      return;
    }
    append(infoElement, "p", example.answers, "answers");
    if (example.problem) {
      append(infoElement, "p", example.problem, "problem");
    }
    if (example.parameters.length) {
      append(infoElement, "p", "参数 / Parameters:");
      var list = append(infoElement, "ul", null, "parameters");
      example.parameters.forEach(function (parameter) {
        var item = append(list, "li", null, "parameter");
        append(item, "code", "$" + parameter.name);
        item.appendChild(document.createTextNode(": " + parameter.doc));
      });
    } else {
      append(infoElement, "p", "无参数 / no parameters", "parameters");
    }
    if (example.reads) {
      append(infoElement, "p", "读取 / Reads: " + example.reads, "reads");
    }
  }

  function load(name) {
    var example = examples[name];
    if (!example) {
      return;
    }
    picker.value = name;
    showInfo(example);
    if (example.text) {
      yasqe.setValue(example.text);
      yasqe.refresh();
    }
  }

  // An example asked for in the URL (/query?example=NAME) wins over the text kept from the last visit.
  if (config.asked || !yasqe.getValue().trim()) {
    load(config.chosen);
  }

  picker.addEventListener("change", function () {
    load(picker.value);
  });
  document.querySelectorAll("#library-list a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      load(link.getAttribute("data-example"));
      editorElement.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  yasqe.on("query", function () {
    setStatus("查询中… / running…");
    runButton.disabled = true;
    downloadButton.disabled = true;
  });
  yasqe.on("queryResponse", function (_instance, response, duration) {
    runButton.disabled = false;
    yasr.setResponse(response, duration);
    var results = yasr.results;
    if (!results || results.hasError()) {
      setStatus("查询出错 / the query failed", true);
      return;
    }
    var bindings = results.getBindings ? results.getBindings() : null;
    var seconds = (duration / 1000).toFixed(2);
    if (bindings) {
      setStatus(bindings.length + " 行 / rows, " + seconds + " s");
    } else {
      setStatus(seconds + " s");
    }
    downloadButton.disabled = !results.asCsv();
  });

  // An IRI of our own data opens here (/id/… answers with the entity's page), not at w3id.org.
  resultsElement.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.iri") : null;
    var href = link ? link.getAttribute("href") || "" : "";
    if (config.idBase && href.indexOf(config.idBase) === 0) {
      event.preventDefault();
      window.open("/id/" + href.slice(config.idBase.length), "_blank", "noopener");
    }
  });

  runButton.addEventListener("click", function () {
    yasqe.query().catch(function (error) {
      runButton.disabled = false;
      setStatus("查询出错 / the query failed: " + (error && error.message ? error.message : error), true);
    });
  });

  downloadButton.addEventListener("click", function () {
    var csv = yasr.results ? yasr.results.asCsv() : null;
    if (!csv) {
      return;
    }
    // A byte order mark so that spreadsheet programs read the Chinese text as UTF-8.
    var blob = new Blob(["\ufeff" + csv], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "dutygraph-" + (picker.value || "query") + ".csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 0);
  });
})();
