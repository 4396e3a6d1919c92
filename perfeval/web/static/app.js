// Progressive only: the form works without this file (plain POST). Adds drag-and-drop and upload progress.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var inputs = form.querySelectorAll("input[type=file]");
  var input = inputs[0];  // what a drop fills: the single workbook, or the review's workbooks and zip
  var drop = document.getElementById("drop");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("bar");
  var text = document.getElementById("progress-text");
  var hints = document.querySelectorAll(".js-only");
  for (var i = 0; i < hints.length; i++) hints[i].hidden = false;

  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.className = "drop over"; });
  drop.addEventListener("dragleave", function () { drop.className = "drop"; });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.className = "drop";
    if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });

  function chosen() {
    for (var i = 0; i < inputs.length; i++) if (inputs[i].files && inputs[i].files.length) return true;
    return false;
  }

  form.addEventListener("submit", function (e) {
    if (!chosen()) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    progress.hidden = false;
    document.getElementById("submit").disabled = true;
    xhr.upload.onprogress = function (ev) {
      if (!ev.lengthComputable) return;
      var pct = Math.round((ev.loaded / ev.total) * 100);
      bar.style.width = pct + "%";
      text.textContent = pct < 100 ? "正在上传… " + pct + "%" : "已上传，正在处理…";
    };
    xhr.upload.onload = function () { bar.style.width = "100%"; text.textContent = "已上传，正在处理…"; };
    xhr.onload = function () {
      if (xhr.responseURL && /\/(r|b)\/[A-Za-z0-9_-]{32}$/.test(xhr.responseURL)) {
        window.location.href = xhr.responseURL;  // the result page (the server redirected there)
      } else {
        document.open();
        document.write(xhr.responseText);  // a Chinese error page
        document.close();
      }
    };
    xhr.onerror = function () { form.submit(); };  // fall back to the plain form
    xhr.send(new FormData(form));
  });
})();
