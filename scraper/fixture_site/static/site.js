// Fixture stand-in for portalpasazera.pl: cookie banner, station autocomplete, results loaded and
// paged by fetch, details expanded in place. Everything arrives asynchronously, as on the real site.
(function () {
  "use strict";

  var banner = document.getElementById("cookie-banner");
  if (banner) {
    banner.querySelector(".cookie-banner__accept").addEventListener("click", function () {
      document.cookie = "cookies_accepted=1; path=/";
      banner.remove();
    });
  }

  var form = document.querySelector("form.main-search");
  if (form) {
    var stations = JSON.parse(form.dataset.stations);
    ["departureFrom", "arrivalTo"].forEach(function (id) {
      var input = document.getElementById(id);
      var hidden = document.getElementById(id + "Id");
      var list = input.parentElement.querySelector(".autocomplete__list");
      input.addEventListener("input", function () {
        hidden.value = "";
        var typed = input.value.trim().toLowerCase();
        list.innerHTML = "";
        if (typed.length < 2) { list.hidden = true; return; }
        stations.filter(function (name) { return name.toLowerCase().indexOf(typed) !== -1; })
          .slice(0, 8)
          .forEach(function (name) {
            var item = document.createElement("li");
            item.className = "autocomplete__item";
            item.textContent = name;
            item.addEventListener("click", function () {
              input.value = name;
              hidden.value = name;
              list.hidden = true;
            });
            list.appendChild(item);
          });
        // Suggestions arrive a moment later, like the real site's lookup request.
        setTimeout(function () { list.hidden = list.children.length === 0; }, 50);
      });
    });
    form.addEventListener("submit", function (event) {
      var error = form.querySelector(".main-search__error");
      if (!document.getElementById("departureFromId").value || !document.getElementById("arrivalToId").value) {
        event.preventDefault();
        error.textContent = "Wybierz stację z listy podpowiedzi.";
        error.hidden = false;
      }
    });
  }

  var results = document.querySelector(".search-results");
  if (results) {
    var token = results.dataset.token;
    var list = results.querySelector(".search-results__list");
    var loader = results.querySelector(".search-results__loader");
    var later = results.querySelector(".search-results__later");
    var noMore = results.querySelector(".search-results__no-more");
    var page = 0;
    var load = function () {
      loader.hidden = false;
      later.hidden = true;
      fetch("/pl/WynikiWyszukiwania/Strona?id=" + encodeURIComponent(token) + "&page=" + page)
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (answer) {
          list.insertAdjacentHTML("beforeend", answer.html);
          page += 1;
          loader.hidden = true;
          later.hidden = !answer.more;
          noMore.hidden = answer.more;
        })
        .catch(function (e) { loader.textContent = "Błąd: " + e.message; });
    };
    later.addEventListener("click", load);
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".search-results__item-details-btn");
      if (!button) { return; }
      var row = button.closest(".search-results__item");
      var details = row.querySelector(".search-results__item-details");
      if (details.children.length) { details.hidden = !details.hidden; return; }
      fetch("/pl/SzczegolyPolaczenia?id=" + encodeURIComponent(row.dataset.connection))
        .then(function (r) { return r.text(); })
        .then(function (html) { details.innerHTML = html; });
    });
    load();
  }
})();
