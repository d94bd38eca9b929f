// The survey builder. The question form: only the fields of the chosen type are shown (without
// JavaScript every group shows, each naming the types it is for). The builder: sections and
// questions are dragged by their handle (HTML5 drag and drop); on drop the whole order is posted
// as JSON to the survey's order address, with the CSRF token in X-CSRFToken. A refusal puts the
// page back as the server has it (a reload). Keyboard users keep the up and down buttons, which
// work without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]") || form.querySelector("input[name=kind]");
  if (!kind) return;

  function reveal() {
    form.querySelectorAll("[data-kinds]").forEach(function (group) {
      group.hidden = group.dataset.kinds.split(" ").indexOf(kind.value) === -1;
    });
  }

  kind.addEventListener("change", reveal);
  reveal();
})();

(function () {
  "use strict";
  var root = document.getElementById("survey-structure");
  if (!root || !root.dataset.orderUrl) return;
  var status = document.getElementById("builder-status");
  var token = document.querySelector('meta[name="csrf-token"]');
  var dragged = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function kindOf(element) {
    return element.classList.contains("builder-section") ? "section" : "question";
  }

  // Only a handle starts a drag, so that text in a question can still be selected.
  root.querySelectorAll("[data-handle]").forEach(function (handle) {
    var item = handle.closest(handle.dataset.handle === "section" ? ".builder-section" : ".builder-question");
    handle.addEventListener("mousedown", function () { item.draggable = true; });
    handle.addEventListener("touchstart", function () { item.draggable = true; }, { passive: true });
    handle.addEventListener("mouseup", function () { item.draggable = false; });
    item.addEventListener("dragend", function () {
      item.draggable = false;
      item.classList.remove("is-dragged");
    });
  });

  root.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[draggable=true]");
    if (!item) return;
    dragged = item;
    item.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
  });

  // Where the dragged item would go: before the sibling under the pointer, or at the end of a list.
  function placeAt(event) {
    if (!dragged) return false;
    var target = event.target.closest ? event.target : event.target.parentElement;
    var section = kindOf(dragged) === "section";
    var list = root;
    if (!section) {
      var home = target.closest(".builder-section");
      list = target.closest(".builder-questions") || (home && home.querySelector(".builder-questions"));
    }
    if (!list) return false;
    var selector = section ? ".builder-section" : ".builder-question";
    var over = target.closest(selector);
    if (over === dragged) return true;
    if (over && over.parentElement === list) {
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    } else if (dragged.parentElement !== list) {
      list.appendChild(dragged);
    }
    return true;
  }

  root.addEventListener("dragover", function (event) {
    if (placeAt(event)) event.preventDefault();
  });

  root.addEventListener("drop", function (event) {
    if (!dragged) return;
    event.preventDefault();
    var section = kindOf(dragged) === "section";
    dragged = null;
    save(section);
  });

  function order() {
    var sections = [];
    var questions = {};
    root.querySelectorAll(".builder-section").forEach(function (section) {
      var id = section.dataset.sectionId;
      sections.push(Number(id));
      questions[id] = [];
      section.querySelectorAll(".builder-question").forEach(function (question) {
        questions[id].push(Number(question.dataset.questionId));
      });
    });
    return { sections: sections, questions: questions };
  }

  // The up and down buttons of the first and last rows stay disabled where they cannot move, and
  // a section that got its first question no longer says it has none.
  function refreshButtons() {
    root.querySelectorAll(".builder-section").forEach(function (section) {
      var empty = section.querySelector(".builder-empty");
      if (empty) empty.hidden = section.querySelector(".builder-question") !== null;
    });
    // A question's buttons also cross into the next section: only the very first and last stop.
    [root.querySelectorAll(".builder-section"), root.querySelectorAll(".builder-question")].forEach(function (items) {
      items.forEach(function (item, index) {
        var move = item.querySelector(".builder-move");
        if (!move) return;
        move.querySelector("[value=up]").disabled = index === 0;
        move.querySelector("[value=down]").disabled = index === items.length - 1;
      });
    });
  }

  // After a section moved, the page is loaded again for the sections' new numbers.
  function save(reload) {
    say("");
    fetch(root.dataset.orderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRFToken": token ? token.content : "" },
      body: JSON.stringify(order())
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.error || response.statusText);
        if (reload) {
          window.location.reload();
          return;
        }
        refreshButtons();
        say(body.message || "");
      });
    }).catch(function (error) {
      say(error.message);
      window.alert(error.message);
      window.location.reload();
    });
  }
})();
