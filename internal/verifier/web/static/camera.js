// Selfie capture: camera preview, capture to a JPEG, upload. Without a
// camera (or permission) the file input fallback in the page is used.
(function () {
  "use strict";
  var root = document.getElementById("camera");
  var form = document.getElementById("selfie-form");
  if (!root || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var video = root.querySelector("video");
  var button = root.querySelector("button");
  var status = root.querySelector(".status");
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (stream) {
    video.srcObject = stream;
    root.hidden = false;
    button.addEventListener("click", function () {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      button.disabled = true;
      status.textContent = "Uploading…";
      canvas.toBlob(function (blob) {
        var data = new FormData();
        data.append("image", blob, "selfie.jpg");
        fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (resp) {
          if (resp.redirected) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            window.location.assign(resp.url);
            return;
          }
          button.disabled = false;
          status.textContent = "The photo was not accepted. Try again, or use the file field below.";
        }, function () {
          button.disabled = false;
          status.textContent = "Upload failed. Try again, or use the file field below.";
        });
      }, "image/jpeg", 0.9);
    });
  }, function () {
    status.textContent = "";
  });
})();
