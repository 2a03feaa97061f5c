// The scim-token admin page: calls the JSON admin routes next to it. No framework, no build step.
//
// Secrets: the admin credential (when the host uses header credentials) lives in the `credential`
// variable only, never in storage, cookies or the URL. A new SCIM token is written into the page once
// and removed when it is dismissed, the page is left, or reloaded.
'use strict';

(() => {
  // Relative to the page, so the page also works when the host nests the admin routes under a prefix.
  const API = new URL('../api/admin/scim-settings', document.baseURI).pathname;
  const GENERATE = API + '/generate-new-token';
  const TOKENS = API + '/tokens';
  const OAUTH = API + '/oauth';
  const SECRETS = OAUTH + '/secrets';
  const FEDERATION = OAUTH + '/federation';
  const MODE = OAUTH + '/mode';

  const el = (id) => document.getElementById(id);
  const ui = {
    status: el('status'),
    form: el('credential-form'),
    credential: el('credential'),
    connected: el('connected'),
    connectedText: el('connected-text'),
    connecting: el('connecting'),
    forget: el('forget'),
    enabled: el('enabled'),
    enabledText: el('enabled-text'),
    hasToken: el('has-token'),
    overlap: el('overlap'),
    overlapText: el('overlap-text'),
    overlapHint: el('overlap-hint'),
    overlapBadge: el('overlap-badge'),
    generate: el('generate'),
    panel: el('new-token-panel'),
    newToken: el('new-token'),
    copy: el('copy'),
    dismiss: el('dismiss'),
    rows: el('token-rows'),
    noTokens: el('no-tokens'),
    revokeAll: el('revoke-all'),
    dialog: el('confirm-dialog'),
    dialogTitle: el('confirm-title'),
    dialogText: el('confirm-text'),
    confirm: el('confirm'),
    cancel: el('cancel'),
    scimUrlRow: el('scim-url-row'),
    scimUrl: el('scim-url'),
    oauth: el('oauth'),
    clientIdRow: el('oauth-client-id-row'),
    clientId: el('oauth-client-id'),
    noClient: el('oauth-no-client'),
    tokenEndpointRow: el('oauth-token-endpoint-row'),
    tokenEndpoint: el('oauth-token-endpoint'),
    oauthScimUrlRow: el('oauth-scim-url-row'),
    oauthScimUrl: el('oauth-scim-url'),
    secretsHint: el('secrets-hint'),
    secretDays: el('secret-days'),
    generateSecret: el('generate-secret'),
    secretPanel: el('new-secret-panel'),
    newSecret: el('new-secret'),
    newSecretExpiry: el('new-secret-expiry'),
    dismissSecret: el('dismiss-secret'),
    secretRows: el('secret-rows'),
    noSecrets: el('no-secrets'),
    federationUnsupported: el('federation-unsupported'),
    federationForm: el('federation-form'),
    trustIssuer: el('trust-issuer'),
    trustJwksUrl: el('trust-jwks-url'),
    trustSubject: el('trust-subject'),
    trustAudience: el('trust-audience'),
    trustTenantId: el('trust-tenant-id'),
    saveTrust: el('save-trust'),
    deleteTrust: el('delete-trust'),
    trustState: el('trust-state'),
    authMode: el('auth-mode'),
  };
  const TRUST_FIELDS = [
    ['issuer', ui.trustIssuer],
    ['jwksUrl', ui.trustJwksUrl],
    ['subject', ui.trustSubject],
    ['audience', ui.trustAudience],
    ['tenantId', ui.trustTenantId],
  ];
  // Set here, not in the page: the page holds no URL, so nothing in it can point elsewhere.
  ui.trustIssuer.placeholder = 'https://login.microsoftonline.com/<tenant id>/v2.0';
  ui.trustJwksUrl.placeholder = 'https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys';
  ui.trustSubject.placeholder = 'Object id of the provisioning service';
  ui.trustAudience.placeholder = 'api://<application id>/.default';
  ui.trustTenantId.placeholder = '<tenant id>';

  /** The admin credential typed in, or null when the browser's own credentials (cookies) are used. */
  let credential = null;
  /** Whether the last read succeeded: writes are offered only then. */
  let authorized = false;
  /** Whether the scope has a current token, for the generate confirmation's wording. */
  let hasToken = false;
  /** What the confirm button does when the dialog is open, and what cancelling it undoes. */
  let pendingAction = null;
  let pendingCancel = null;
  /** The last OAuth settings read, or null when the server has no OAuth routes (or refused the read). */
  let oauth = null;
  /** Whether the administrator has typed into the federation form since it was last filled. */
  let trustEdited = false;
  let busy = false;
  /** The last settings read, for messages that depend on the overlap. */
  let settings = null;
  /** While the server waits for the identity provider to use a new token, the page re-reads every few
      seconds, so that the switch shows without a reload. */
  const WATCH_EVERY_MS = 3000;
  let watch = null;
  let graceReads = 0;

  class ApiError extends Error {
    constructor(status, name, message) {
      super(message);
      this.status = status;
      this.name = name;
    }
  }

  /** Calls an admin route; resolves to the JSON body (or null) or throws an ApiError. */
  async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (credential !== null) headers.Authorization = credential;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(0, 'NetworkError', 'The server cannot be reached. Check your connection and retry.');
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch (_) { json = null; }
    }
    if (!response.ok) {
      const message = json && typeof json.message === 'string'
        ? json.message
        : `The server answered ${response.status} ${response.statusText || ''}`.trim() + '.';
      throw new ApiError(response.status, (json && json.name) || 'HttpError', message);
    }
    return json;
  }

  function showStatus(kind, message) {
    ui.status.className = 'banner ' + kind;
    ui.status.textContent = message;
    ui.status.hidden = false;
  }

  function clearStatus() {
    ui.status.hidden = true;
    ui.status.textContent = '';
  }

  function showError(error) {
    showStatus('error', error instanceof ApiError ? error.message : 'Something went wrong: ' + error);
  }

  function formatTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  function cell(text, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function withSub(td, text) {
    const sub = document.createElement('span');
    sub.className = 'sub';
    sub.textContent = text;
    td.append(sub);
    return td;
  }

  function renderTokens(tokens) {
    ui.rows.replaceChildren();
    const now = Date.now();
    for (const token of tokens) {
      const row = document.createElement('tr');
      row.dataset.testid = 'token-row';
      const id = cell(token.id, 'id');
      const role = document.createElement('span');
      role.className = 'badge role';
      role.textContent = token.role === 'current' ? 'current' : 'previous';
      id.append(role);
      row.append(id);

      const created = cell(formatTime(token.createdAt));
      created.title = token.createdAt;
      row.append(withSub(created, 'by ' + token.createdBy));

      const used = cell(formatTime(token.lastUsedAt) || 'Never');
      if (token.lastUsedAt) used.title = token.lastUsedAt;
      row.append(used);

      const until = cell(token.validUntil ? formatTime(token.validUntil) : 'Until replaced');
      if (token.validUntil) {
        until.title = token.validUntil;
        if (Date.parse(token.validUntil) <= now) {
          until.classList.add('past');
          withSub(until, 'expired');
        }
      }
      row.append(until);

      const actions = document.createElement('td');
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'button danger small';
      revoke.textContent = 'Revoke';
      revoke.dataset.testid = 'revoke';
      revoke.dataset.tokenId = token.id;
      revoke.disabled = !authorized;
      revoke.addEventListener('click', () => confirmRevoke(token));
      actions.append(revoke);
      row.append(actions);
      ui.rows.append(row);
    }
    ui.noTokens.hidden = tokens.length > 0;
  }

  /** The overlap until first use, when the server reports one: waiting for the switch, or switched. */
  function renderOverlap(overlap) {
    ui.overlap.hidden = !overlap;
    if (!overlap) return;
    if (overlap.state === 'waiting') {
      ui.overlapText.textContent = 'Waiting for the identity provider to use the new token';
      ui.overlapHint.textContent = 'The previous token keeps working until then, and until '
        + formatTime(overlap.validUntil) + ' at the latest.';
      ui.overlapText.title = '';
      ui.overlapHint.title = overlap.validUntil;
      ui.overlapBadge.textContent = 'Waiting';
      ui.overlapBadge.className = 'badge warn';
    } else {
      ui.overlapText.textContent = 'Switched at ' + formatTime(overlap.switchedAt);
      ui.overlapText.title = overlap.switchedAt;
      ui.overlapHint.textContent = 'The identity provider has used the current token since then; no earlier token works.';
      ui.overlapHint.title = '';
      ui.overlapBadge.textContent = 'Switched';
      ui.overlapBadge.className = 'badge ok';
    }
  }

  /** Re-reads while waiting for the switch (and the tab is visible), and twice more once the wait is
      over with no state yet: the switch's time is recorded a moment after the old token is dropped. */
  function watchOverlap() {
    clearTimeout(watch);
    watch = null;
    const state = settings && settings.overlap ? settings.overlap.state : null;
    if (!authorized || state === 'switched') {
      graceReads = 0;
      return;
    }
    if (state === 'waiting') {
      graceReads = 2;
    } else if (graceReads > 0) {
      graceReads -= 1;
    } else {
      return;
    }
    watch = setTimeout(() => {
      if (!authorized) return;
      if (document.visibilityState !== 'visible' || busy) return watchOverlap();
      refresh().catch(showError);
    }, WATCH_EVERY_MS);
  }

  function renderSettings(read) {
    settings = read;
    renderOverlap(settings.overlap);
    ui.enabled.checked = settings.enabled;
    ui.enabledText.textContent = settings.enabled ? 'Enabled' : 'Disabled';
    hasToken = settings.hasToken;
    ui.hasToken.textContent = settings.hasToken ? 'Active token' : 'No token';
    ui.hasToken.className = 'badge ' + (settings.hasToken ? 'ok' : 'warn');
    ui.generate.textContent = settings.hasToken ? 'Generate new token' : 'Generate token';
  }

  /** Shows `value` in a copyable row, or hides the row when the server did not give it. */
  function showValue(row, code, value) {
    row.hidden = !value;
    code.textContent = value || '';
  }

  function renderSecrets(secrets) {
    ui.secretRows.replaceChildren();
    for (const secret of secrets) {
      const row = document.createElement('tr');
      row.dataset.testid = 'secret-row';
      row.append(cell(secret.id, 'id'));
      const created = cell(formatTime(secret.createdAt));
      created.title = secret.createdAt;
      row.append(withSub(created, 'by ' + secret.createdBy));
      const used = cell(formatTime(secret.lastUsedAt) || 'Never');
      if (secret.lastUsedAt) used.title = secret.lastUsedAt;
      row.append(used);
      const expires = cell(formatTime(secret.expiresAt));
      expires.title = secret.expiresAt;
      if (secret.expired) {
        expires.classList.add('past');
        withSub(expires, 'expired');
      }
      row.append(expires);
      const actions = document.createElement('td');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'button danger small';
      remove.textContent = 'Delete';
      remove.dataset.testid = 'delete-secret';
      remove.dataset.secretId = secret.id;
      remove.disabled = !authorized;
      remove.addEventListener('click', () => confirmDeleteSecret(secret));
      actions.append(remove);
      row.append(actions);
      ui.secretRows.append(row);
    }
    ui.noSecrets.hidden = secrets.length > 0;
  }

  function fillTrust(trust) {
    if (trustEdited) return;
    for (const [name, input] of TRUST_FIELDS) input.value = trust ? (trust[name] || '') : '';
  }

  /** The OAuth section, and the SCIM base URL beside the static token; hidden without OAuth routes. */
  function renderOAuth(read) {
    oauth = read;
    ui.oauth.hidden = !oauth;
    showValue(ui.scimUrlRow, ui.scimUrl, oauth && oauth.scimBaseUrl);
    if (!oauth) return;
    showValue(ui.clientIdRow, ui.clientId, oauth.clientId);
    ui.noClient.hidden = Boolean(oauth.clientId);
    showValue(ui.tokenEndpointRow, ui.tokenEndpoint, oauth.tokenEndpoint);
    showValue(ui.oauthScimUrlRow, ui.oauthScimUrl, oauth.scimBaseUrl);
    const days = oauth.secretExpiryDays;
    ui.secretDays.min = String(days.min);
    ui.secretDays.max = String(days.max);
    if (!ui.secretDays.value) ui.secretDays.value = String(days.default);
    ui.secretsHint.textContent = `Several secrets can be active at once (at most ${oauth.maxSecrets} unexpired): `
      + 'generate a new one, paste it into your identity provider, then delete the old one. A secret expires after '
      + `${days.min === days.max ? days.min : days.min + ' to ' + days.max} days; access tokens last `
      + `${Math.round(oauth.accessTokenLifetimeSeconds / 60)} minutes.`;
    renderSecrets(oauth.secrets || []);
    ui.federationUnsupported.hidden = oauth.federationSupported;
    fillTrust(oauth.federation);
    ui.deleteTrust.hidden = !oauth.federation;
    ui.trustState.textContent = oauth.federation
      ? 'Saved ' + formatTime(oauth.federation.createdAt) + ' by ' + oauth.federation.createdBy + '.'
      : 'No trust saved.';
    ui.authMode.value = oauth.authMode;
  }

  function setControls() {
    const usable = authorized && !busy;
    ui.enabled.disabled = !usable;
    ui.generate.disabled = !usable;
    ui.revokeAll.disabled = !usable;
    for (const button of ui.rows.querySelectorAll('button')) button.disabled = !usable;
    ui.generateSecret.disabled = !usable;
    ui.secretDays.disabled = !usable;
    ui.saveTrust.disabled = !usable;
    ui.deleteTrust.disabled = !usable;
    ui.authMode.disabled = !usable;
    for (const button of ui.secretRows.querySelectorAll('button')) button.disabled = !usable;
  }

  function renderAccess(mode) {
    ui.connecting.hidden = true;
    ui.form.hidden = mode !== 'ask';
    ui.connected.hidden = mode === 'ask';
    ui.forget.hidden = mode !== 'credential';
    ui.connectedText.textContent = mode === 'session'
      ? 'Signed in with your browser session.'
      : 'Connected with the admin token held in this tab\u2019s memory.';
  }

  /** Reads the settings and the tokens; on 401 asks for a credential. */
  async function refresh() {
    try {
      // A server without the OAuth routes (or an authenticator that refuses them) hides the section.
      const [read, tokens, oauthRead] = await Promise.all([
        call('GET', API), call('GET', TOKENS), call('GET', OAUTH).catch(() => null),
      ]);
      authorized = true;
      renderAccess(credential === null ? 'session' : 'credential');
      renderSettings(read);
      renderTokens(tokens || []);
      renderOAuth(oauthRead);
      return true;
    } catch (error) {
      authorized = false;
      if (error.status === 401 || error.status === 403 || credential === null) renderAccess('ask');
      throw error;
    } finally {
      setControls();
      watchOverlap();
    }
  }

  /** Runs one write, with the controls disabled meanwhile, then re-reads everything. `success` is the
      message, or a function giving it from what was read afterwards. */
  async function write(action, success) {
    busy = true;
    setControls();
    let done = false;
    try {
      await action();
      done = true;
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
      try { await refresh(); } catch (error) { showError(error); done = false; }
    }
    if (done) showStatus('ok', typeof success === 'function' ? success() : success);
  }

  function showToken(token) {
    ui.newToken.textContent = token;
    ui.copy.textContent = 'Copy';
    ui.panel.hidden = false;
  }

  function forgetToken() {
    ui.newToken.textContent = '';
    ui.panel.hidden = true;
  }

  function ask(title, text, confirmLabel, action, onCancel) {
    ui.dialogTitle.textContent = title;
    ui.dialogText.textContent = text;
    ui.confirm.textContent = confirmLabel;
    const danger = confirmLabel.startsWith('Revoke') || confirmLabel.startsWith('Delete');
    ui.confirm.className = 'button ' + (danger ? 'danger' : 'primary');
    pendingAction = action;
    pendingCancel = onCancel || null;
    ui.dialog.showModal();
    ui.cancel.focus();
  }

  function confirmRevoke(token) {
    const what = token.role === 'current'
      ? 'This is the current token: provisioning fails until you generate a new one.'
      : 'This is the previous token, still accepted during the overlap window.';
    ask(`Revoke token ${token.id}?`, `It stops working at once. ${what}`, 'Revoke token', () =>
      write(async () => {
        // The token on display, if any, is the current one: revoked, it is of no use any more.
        if (token.role === 'current') forgetToken();
        await call('DELETE', TOKENS + '/' + encodeURIComponent(token.id));
      }, `Token ${token.id} was revoked.`));
  }

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = ui.credential.value.trim();
    ui.credential.value = '';
    if (!value) return;
    credential = value;
    clearStatus();
    try {
      await refresh();
      showStatus('ok', 'Connected.');
    } catch (error) {
      credential = null;
      renderAccess('ask');
      showStatus('error', error.status === 401
        ? 'That admin token was not accepted. Check it and try again.'
        : (error instanceof ApiError ? error.message : String(error)));
      ui.credential.focus();
    }
  });

  ui.forget.addEventListener('click', () => {
    credential = null;
    authorized = false;
    clearTimeout(watch);
    forgetToken();
    forgetSecret();
    renderAccess('ask');
    setControls();
    showStatus('ok', 'The admin token was forgotten.');
    ui.credential.focus();
  });

  ui.enabled.addEventListener('change', () => {
    const enabled = ui.enabled.checked;
    write(() => call('POST', API, { enabled }),
      enabled ? 'SCIM provisioning is enabled.' : 'SCIM provisioning is disabled: every SCIM request is refused.');
  });

  ui.generate.addEventListener('click', () => {
    const hadToken = hasToken;
    const title = hasToken ? 'Replace the current token?' : 'Generate a token?';
    // A server that reports an overlap state ends the overlap when the new token is first used.
    const text = hasToken && settings && settings.overlap
      ? 'The current token keeps working until your identity provider uses the new one (or this server\u2019s overlap maximum passes): paste the new token into it.'
      : hasToken
      ? 'The current token stops working at once: your identity provider\u2019s SCIM requests fail until you paste the new token into it.'
      : 'A new token is created and shown once. Paste it into your identity provider\u2019s SCIM settings.';
    ask(title, text, hasToken ? 'Generate and replace' : 'Generate token', () =>
      write(async () => {
        forgetToken();
        const body = await call('POST', GENERATE);
        showToken(body.token);
      }, () => {
        const overlap = settings && settings.overlap;
        if (overlap && overlap.state === 'waiting') {
          return 'New token generated. The previous token keeps working until your identity provider uses '
            + 'the new one, and until ' + formatTime(overlap.validUntil) + ' at the latest.';
        }
        return hadToken ? 'New token generated. The previous token no longer works.' : 'Token generated.';
      }));
  });

  ui.revokeAll.addEventListener('click', () => {
    ask('Revoke every token?',
      'Every SCIM token stops working at once, and provisioning fails until you generate a new one.',
      'Revoke all tokens', () => write(async () => {
        forgetToken();
        await call('DELETE', TOKENS);
      }, 'Every token was revoked.'));
  });

  ui.confirm.addEventListener('click', () => {
    const action = pendingAction;
    pendingAction = null;
    pendingCancel = null;
    ui.dialog.close();
    if (action) action();
  });
  ui.cancel.addEventListener('click', () => ui.dialog.close());
  ui.dialog.addEventListener('close', () => {
    const undo = pendingCancel;
    pendingAction = null;
    pendingCancel = null;
    if (undo) undo();
  });

  /** Copies the text of `source` with `button`, or selects it for a manual copy. */
  async function copyText(button, source) {
    try {
      await navigator.clipboard.writeText(source.textContent);
      button.textContent = 'Copied';
    } catch (_) {
      // No clipboard permission (e.g. not a secure context): select it for a manual copy.
      window.getSelection().selectAllChildren(source);
      button.textContent = 'Selected: press Ctrl+C';
    }
  }

  ui.copy.addEventListener('click', () => copyText(ui.copy, ui.newToken));
  for (const button of document.querySelectorAll('[data-copy-from]')) {
    button.addEventListener('click', () => copyText(button, el(button.dataset.copyFrom)));
  }

  function showSecret(body) {
    ui.newSecret.textContent = body.clientSecret;
    ui.newSecretExpiry.textContent = 'Secret ' + body.secretId + ' of client ' + body.clientId + ', valid until '
      + formatTime(body.expiresAt) + '.';
    for (const button of ui.secretPanel.querySelectorAll('[data-copy-from]')) button.textContent = 'Copy';
    ui.secretPanel.hidden = false;
  }

  function forgetSecret() {
    ui.newSecret.textContent = '';
    ui.newSecretExpiry.textContent = '';
    ui.secretPanel.hidden = true;
  }

  function confirmDeleteSecret(secret) {
    ask(`Delete client secret ${secret.id}?`,
      'It stops working at once, and so does every access token obtained with it. An identity provider still '
        + 'using it fails until it is given another secret.',
      'Delete secret', () => write(async () => {
        if (ui.newSecretExpiry.textContent.includes(secret.id)) forgetSecret();
        await call('DELETE', SECRETS + '/' + encodeURIComponent(secret.id));
      }, `Client secret ${secret.id} was deleted.`));
  }

  ui.generateSecret.addEventListener('click', () => {
    const days = Number.parseInt(ui.secretDays.value, 10);
    const body = Number.isNaN(days) ? undefined : { expiresInDays: days };
    write(async () => {
      forgetSecret();
      showSecret(await call('POST', SECRETS, body));
    }, 'Client secret generated. Copy it now: it is shown only once.');
  });

  for (const [, input] of TRUST_FIELDS) input.addEventListener('input', () => { trustEdited = true; });

  ui.federationForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const trust = {};
    for (const [name, input] of TRUST_FIELDS) trust[name] = input.value.trim();
    if (!trust.tenantId) trust.tenantId = null;
    write(async () => {
      await call('PUT', FEDERATION, trust);
      trustEdited = false;
    }, 'Federation trust saved.');
  });

  ui.deleteTrust.addEventListener('click', () => {
    ask('Delete the federation trust?',
      'Assertions are refused from now on, and every access token obtained with one stops working at once.',
      'Delete trust', () => write(async () => {
        await call('DELETE', FEDERATION);
        trustEdited = false;
      }, 'Federation trust deleted.'));
  });

  const MODE_TEXT = {
    any: 'Static tokens and OAuth access tokens are both accepted.',
    static: 'Only the static token is accepted: the token endpoint refuses this client, and every OAuth access '
      + 'token stops working.',
    oauth: 'Only OAuth access tokens are accepted: the static token stops working, as Entra\u2019s app gallery '
      + 'requires.',
  };

  ui.authMode.addEventListener('change', () => {
    const mode = ui.authMode.value;
    const undo = () => { if (oauth) ui.authMode.value = oauth.authMode; };
    ask('Change the accepted credentials?', MODE_TEXT[mode] || '', 'Change', () =>
      write(() => call('PUT', MODE, { mode }), MODE_TEXT[mode] || 'Saved.'), undo);
  });

  ui.dismiss.addEventListener('click', forgetToken);
  ui.dismissSecret.addEventListener('click', forgetSecret);
  // Not kept for the back-forward cache either.
  window.addEventListener('pagehide', () => {
    forgetToken();
    forgetSecret();
  });

  // First, try the browser's own credentials (a host with cookie sessions); ask for a token otherwise.
  ui.credential.value = '';
  forgetToken();
  forgetSecret();
  refresh().catch((error) => {
    if (error.status !== 401) showError(error);
  });
})();
