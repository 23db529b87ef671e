// Liveness capture: asks the server for a challenge (random prompts and a
// nonce), shows the prompts one after another while taking a frame every
// 200 ms, then uploads the burst with each frame's capture time and step.
// The server decides; this page only captures. Without a camera the still
// photo form below the section is used.
(function () {
  "use strict";
  var root = document.getElementById("liveness");
  if (!root || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch) {
    return;
  }
  var video = root.querySelector("video");
  var prompt = root.querySelector(".prompt");
  var button = root.querySelector("button");
  var reasons = root.querySelector(".reasons");
  var frameEvery = 200; // ms
  var neutralMS = 1200;

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (resp) {
      return resp.json().then(function (data) { return { status: resp.status, data: data }; });
    });
  }

  function grab(canvas) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }

  // capture shows each step for its duration and grabs frames meanwhile.
  function capture(steps) {
    var canvas = document.createElement("canvas");
    var frames = [];
    var start = null;
    var i = 0;
    return new Promise(function (resolve) {
      function next() {
        if (i === steps.length) {
          resolve(frames);
          return;
        }
        var step = steps[i];
        prompt.textContent = step.text;
        var stepStart = null;
        var tick = function () {
          var now = performance.now();
          if (start === null) {
            start = now;
          }
          if (stepStart === null) {
            stepStart = now;
          }
          grab(canvas).then(function (blob) {
            frames.push({ blob: blob, offset_ms: Math.round(now - start), step: i });
            if (performance.now() - stepStart + frameEvery >= step.ms) {
              i++;
              next();
            } else {
              setTimeout(tick, Math.max(0, frameEvery - (performance.now() - now)));
            }
          });
        };
        // The first frame of a step waits one interval like every other:
        // capture times must be a camera's, never closer than it delivers.
        setTimeout(tick, i === 0 ? 0 : frameEvery);
      }
      next();
    });
  }

  function run(stream) {
    button.disabled = true;
    reasons.textContent = "";
    post(root.dataset.challenge, null).then(function (res) {
      if (res.status !== 200) {
        prompt.textContent = res.data.message || "Liveness cannot be checked now. Use the photo form below.";
        return null;
      }
      var c = res.data;
      var steps = [{ text: "Look straight at the camera", ms: neutralMS }];
      c.prompts.forEach(function (p) { steps.push({ text: p.text, ms: c.step_ms }); });
      return capture(steps).then(function (frames) {
        prompt.textContent = "Checking…";
        var body = new FormData();
        body.append("meta", new Blob([JSON.stringify({
          nonce: c.nonce,
          frames: frames.map(function (f) { return { offset_ms: f.offset_ms, step: f.step }; })
        })], { type: "application/json" }));
        frames.forEach(function (f, n) { body.append("frame", f.blob, "frame" + n + ".jpg"); });
        if (!root.dataset.sign) {
          return post(root.dataset.burst, body);
        }
        // A device-bound verification: the bound key signs the burst.
        return fetch(root.dataset.sign, { method: "POST", credentials: "same-origin" }).then(function (resp) {
          return resp.text();
        }).then(function (opts) {
          return import(root.dataset.capture).then(function (capture) {
            var nonce = Uint8Array.from(atob(c.nonce), function (ch) { return ch.charCodeAt(0); });
            return capture.signBurst(frames.map(function (f) { return f.blob; }), nonce, opts);
          });
        }).then(function (signed) {
          body.append("assertion", new Blob([signed.assertion], { type: "application/json" }));
          return post(root.dataset.burst, body);
        });
      });
    }).then(function (res) {
      if (!res) {
        button.disabled = false;
        return;
      }
      if (res.status === 200 && res.data.passed) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        window.location.assign(res.data.next);
        return;
      }
      prompt.textContent = "That did not work. Try again.";
      (res.data.messages || [res.data.message || "The capture was refused."]).forEach(function (m, n) {
        var li = document.createElement("li");
        li.textContent = m;
        if (res.data.reasons) {
          li.dataset.reason = res.data.reasons[n];
        }
        reasons.appendChild(li);
      });
      button.disabled = false;
    }, function () {
      prompt.textContent = "The upload failed. Try again.";
      button.disabled = false;
    });
  }

  navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (stream) {
    video.srcObject = stream;
    root.hidden = false;
    button.addEventListener("click", function () { run(stream); });
  }, function () {
    root.hidden = true;
  });
})();
