// Passkey sign-in and registration through Spring Security's WebAuthn endpoints.
// Served as a file (the CSP allows scripts from 'self' only, never inline). Pages work without it;
// only the passkey buttons need it, and they stay hidden until this script shows them.
"use strict";
(() => {
  const b64 = {
    encode(buffer) {
      return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_");
    },
    decode(text) {
      const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
      return Uint8Array.from(binary, c => c.charCodeAt(0)).buffer;
    }
  };

  function csrfHeaders() {
    const holder = document.querySelector("[data-csrf]");
    return holder ? { [holder.dataset.csrfHeader]: holder.dataset.csrfToken } : {};
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...csrfHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (!response.ok) {
      throw new Error("the server answered " + response.status);
    }
    return response.json();
  }

  function showError(message) {
    const error = document.getElementById("passkey-error");
    if (error) {
      error.textContent = message;
      error.hidden = false;
    }
  }

  async function signIn() {
    const options = await post("/webauthn/authenticate/options");
    options.challenge = b64.decode(options.challenge);
    options.allowCredentials = (options.allowCredentials || []).map(c => ({ ...c, id: b64.decode(c.id) }));
    const credential = await navigator.credentials.get({ publicKey: options });
    const r = credential.response;
    const result = await post("/login/webauthn", {
      id: credential.id,
      rawId: b64.encode(credential.rawId),
      response: {
        authenticatorData: b64.encode(r.authenticatorData),
        clientDataJSON: b64.encode(r.clientDataJSON),
        signature: b64.encode(r.signature),
        userHandle: r.userHandle ? b64.encode(r.userHandle) : undefined
      },
      credType: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment
    });
    if (!result.authenticated) {
      throw new Error("the passkey was not accepted");
    }
    window.location.href = "/account";
  }

  async function register(label) {
    const options = await post("/webauthn/register/options");
    options.challenge = b64.decode(options.challenge);
    options.user = { ...options.user, id: b64.decode(options.user.id) };
    options.excludeCredentials = (options.excludeCredentials || []).map(c => ({ ...c, id: b64.decode(c.id) }));
    const credential = await navigator.credentials.create({ publicKey: options });
    const r = credential.response;
    const result = await post("/webauthn/register", {
      publicKey: {
        credential: {
          id: credential.id,
          rawId: b64.encode(credential.rawId),
          response: {
            attestationObject: b64.encode(r.attestationObject),
            clientDataJSON: b64.encode(r.clientDataJSON),
            transports: r.getTransports ? r.getTransports() : []
          },
          type: credential.type,
          clientExtensionResults: credential.getClientExtensionResults(),
          authenticatorAttachment: credential.authenticatorAttachment
        },
        label
      }
    });
    if (!result.success) {
      throw new Error("the passkey was not saved");
    }
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.PublicKeyCredential) {
      return;
    }
    document.querySelectorAll("[data-passkey-unsupported]").forEach(e => { e.hidden = true; });
    document.querySelectorAll("[data-passkey-signin], [data-passkey-register]").forEach(e => { e.hidden = false; });
    const signInButton = document.getElementById("passkey-signin");
    if (signInButton) {
      signInButton.addEventListener("click", () => signIn().catch(e => showError("Passkey sign-in failed: " + e.message)));
    }
    const registerButton = document.getElementById("passkey-register");
    if (registerButton) {
      registerButton.addEventListener("click", () => {
        const label = document.getElementById("passkey-label").value.trim() || "Passkey";
        register(label).catch(e => showError("Adding the passkey failed: " + e.message));
      });
    }
  });
})();
