// Device binding: when this browser has a platform authenticator, the
// first "Send code" enrols a WebAuthn credential for this verification
// (the person confirms with their fingerprint, face or PIN), so that the
// selfie pictures can later be signed by this device. Any failure (no
// authenticator, the person declines) leaves the verification unbound; the
// form is sent either way.
import { available, enrol } from "./capture/capture.js";

const root = document.getElementById("capture-enrol");
const form = document.querySelector('form[action*="/email/send"]');
if (root && form) {
  let done = false;
  form.addEventListener("submit", async (ev) => {
    if (done) {
      return;
    }
    ev.preventDefault();
    done = true;
    try {
      if (await available()) {
        const begin = await fetch(root.dataset.begin, { method: "POST", credentials: "same-origin" });
        if (begin.ok) {
          const response = await enrol(await begin.text());
          await fetch(root.dataset.finish, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json" }, body: response,
          });
        }
      }
    } catch (e) {
      // unbound: the flow goes on
    }
    form.submit();
  });
}
