/*
 * Small DOM helpers the page scripts share. Text from the store is only ever set with textContent.
 */
(function () {
  "use strict";

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function append(parent, tag, text, className) {
    var child = document.createElement(tag);
    if (text !== undefined && text !== null) {
      child.textContent = text;
    }
    if (className) {
      child.className = className;
    }
    parent.appendChild(child);
    return child;
  }

  window.dutygraphDom = { clear: clear, append: append };
})();
