// The console: the API's first client. Everything it shows comes from /api on this port; everything it writes into
// the page goes through textContent (never as HTML), so a callback's fields are shown as the text they are.
'use strict';

(() => {
  const TOKEN_KEY = 'css-gateway-api-token';
  const REFRESH_MS = 5000;
  const $ = (id) => document.getElementById(id);
  let olderCursor = null;   // the next page of the events shown; null: the newest are shown and kept fresh
  let paged = false;
  let shownEvent = null;
  let unroutedListed = null;   // the unrouted count its list was last read at

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // --- the API token: asked for when an answer needs it, kept for this tab only -------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function showTokenState() {
    $('token-state').textContent = token() ? 'API token set for this tab' : 'no API token in this tab';
    $('token-forget').hidden = !token();
  }

  function askToken(why) {
    return new Promise((resolve) => {
      const dialog = $('token-dialog');
      if (dialog.open) {
        resolve(false);   // already asked, by another request of this page
        return;
      }
      $('token-why').textContent = (why ? why + '. ' : '')
        + 'Give the gateway\'s API token (GATEWAY_API_TOKEN); it is kept in this tab only.';
      $('token-input').value = '';
      dialog.addEventListener('close', () => {
        const given = $('token-input').value.trim();
        $('token-input').value = '';
        if (dialog.returnValue === 'ok' && given) {
          sessionStorage.setItem(TOKEN_KEY, given);
          showTokenState();
          resolve(true);
        } else {
          resolve(false);
        }
      }, { once: true });
      dialog.showModal();
    });
  }

  async function api(path, method = 'GET', retried = false) {
    const headers = { Accept: 'application/json' };
    if (token()) {
      headers.Authorization = 'Bearer ' + token();
    }
    const response = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store' });
    const body = await response.json().catch(() => ({ message: response.statusText }));
    if ((response.status === 401 || response.status === 403) && !retried) {
      if (await askToken(body.message)) {
        return api(path, method, true);
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, body.message || response.statusText);
    }
    return body;
  }

  // --- writing into the page: text only ----------------------------------------------------------------------
  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) {
      td.className = className;
    }
    return td;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function tr(...cells) {
    const row = document.createElement('tr');
    row.append(...cells);
    return row;
  }

  function problem(error) {
    const banner = $('problem');
    if (error) {
      banner.textContent = (error.status ? error.status + ': ' : '') + error.message;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  // --- state: RabbitMQ and spool of every instance, the unrouted queue, refusals ------------------------------
  async function loadState() {
    try {
      const spool = await api('/api/spool');
      fill($('instances'), spool.instances.map((each) => {
        const item = document.createElement('li');
        const broker = document.createElement('span');
        broker.className = each.rabbitmq.up ? 'up' : 'down';
        broker.textContent = each.rabbitmq.up ? 'RabbitMQ up' : 'RabbitMQ down: ' + (each.rabbitmq.down_reason || '');
        const types = Object.entries(each.spool.by_event_type || {}).map(([type, n]) => type + ': ' + n).join(', ');
        item.append(document.createTextNode(each.instance + ' - '), broker,
          document.createTextNode(' - spool ' + each.spool.depth
            + (each.spool.depth > 0 ? ' (oldest ' + each.spool.oldest_age_seconds + ' s; ' + types + ')' : '')));
        return item;
      }));
    } catch (error) {
      fill($('instances'), [Object.assign(document.createElement('li'), { textContent: error.message })]);
    }
    try {
      // the count every time; the first messages (taken and given back by the broker) only when it changed
      const counted = await api('/api/unrouted?limit=0');
      $('unrouted-count').textContent = counted.count;
      $('unrouted-queue').textContent = 'on ' + counted.queue;
      if (counted.count !== unroutedListed) {
        const unrouted = counted.count > 0 ? await api('/api/unrouted?limit=5') : { messages: [] };
        unroutedListed = counted.count;
        fill($('unrouted'), unrouted.messages.map((m) => Object.assign(document.createElement('li'),
          { textContent: m.routing_key + ' ' + (m.message_id || '') })));
      }
    } catch (error) {
      $('unrouted-count').textContent = '?';
      $('unrouted-queue').textContent = error.message;
    }
    try {
      const hourAgo = new Date(Date.now() - 3600 * 1000).toISOString();
      const refusals = await api('/api/refusals?since=' + encodeURIComponent(hourAgo));
      $('refusals-total').textContent = refusals.total;
      fill($('refusals-by-reason'), Object.entries(refusals.by_reason).map(([reason, n]) => tr(cell(reason), cell(n))));
      fill($('refusals-by-source'), Object.entries(refusals.by_source).map(([source, n]) => tr(cell(source), cell(n))));
    } catch (error) {
      $('refusals-total').textContent = '?';
    }
    try {
      const streams = await api('/api/streams?limit=100');
      $('streams-note').hidden = true;
      $('streams-count').textContent = '(' + streams.streams.length + (streams.next ? '+' : '') + ')';
      fill($('streams'), streams.streams.map((s) => {
        const name = document.createElement('td');
        const find = document.createElement('button');
        find.type = 'button';
        find.className = 'link';
        find.textContent = s.stream_id;
        find.title = 'this stream\'s events';
        find.addEventListener('click', () => {
          $('filters').reset();
          $('search-stream').value = s.stream_id;
          searchEvents();
        });
        name.append(find);
        return tr(name, cell(s.app), cell(s.appname), cell(s.since), cell((s.open_sequences || []).join(', ')));
      }));
    } catch (error) {
      fill($('streams'), []);
      $('streams-note').textContent = error.status === 404 ? 'The stream state is off (gateway.streams.enabled).'
        : error.message;
      $('streams-note').hidden = false;
    }
  }

  // --- events ------------------------------------------------------------------------------------------------
  function query() {
    const parameters = new URLSearchParams();
    for (const [name, value] of new FormData($('filters'))) {
      if (String(value).trim() !== '') {
        parameters.set(name, String(value).trim());
      }
    }
    return parameters;
  }

  function eventRow(e) {
    const id = document.createElement('td');
    if (e.event_id) {
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'link';
      open.textContent = e.event_id;
      open.title = 'every line of this event, and its body';
      open.addEventListener('click', () => showEvent(e.event_id));
      id.append(open);
    } else {
      id.textContent = '(no identity)';
    }
    const verdict = cell(e.verdict + (e.reason ? ' (' + e.reason + ')' : ''), 'verdict-' + e.verdict);
    return tr(cell(e.received_at), verdict, id, cell(e.stream_id, 'wrap'),
      // the push domain, and its tenant when the gateway has tenants
      cell(e.tenant ? e.app + ' (' + e.tenant + ')' : e.app), cell(e.errcode),
      cell(e.routing_key), cell(e.remote_addr), cell(e.instance));
  }

  async function loadEvents(append) {
    const parameters = query();
    parameters.set('limit', '50');
    if (append && olderCursor) {
      parameters.set('cursor', olderCursor);
    }
    try {
      const page = await api('/api/events?' + parameters.toString());
      problem(null);
      const rows = page.events.map(eventRow);
      if (append) {
        $('events').append(...rows);
      } else {
        fill($('events'), rows);
      }
      olderCursor = page.next;
      $('more').hidden = !page.next;
    } catch (error) {
      problem(error);
    }
  }

  function searchEvents() {
    paged = false;
    loadEvents(false);
  }

  async function showEvent(id) {
    try {
      const event = await api('/api/events/' + encodeURIComponent(id));
      shownEvent = id;
      $('event-id').textContent = id;
      fill($('event-lines'), event.lines.map((line) => tr(cell(line.received_at),
        cell(line.verdict + (line.reason ? ' (' + line.reason + ')' : ''), 'verdict-' + line.verdict),
        cell(line.reason), cell(line.http_status), cell(line.remote_addr), cell(line.instance), cell(line.routing_key))));
      const first = event.lines.find((line) => line.verdict === 'accepted') || event.lines[0];
      $('event-body').textContent = JSON.stringify(first.body, null, 2);
      $('replay').disabled = !event.lines.some((line) => line.verdict === 'accepted');
      $('replay-result').textContent = '';
      $('event').hidden = false;
      $('event').scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (error) {
      problem(error);
    }
  }

  function confirmReplay(id) {
    return new Promise((resolve) => {
      const dialog = $('confirm-dialog');
      $('confirm-text').textContent = 'Publish event ' + id + ' to RabbitMQ again, as first published, with '
        + 'css_replayed=true? Its consumers take it once more.';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
    });
  }

  async function replay() {
    const id = shownEvent;
    if (!id || !(await confirmReplay(id))) {
      return;
    }
    try {
      const done = await api('/api/events/' + encodeURIComponent(id) + '/replay', 'POST');
      $('replay-result').textContent = 'Replayed to ' + done.routing_key + ': RabbitMQ confirmed it.';
    } catch (error) {
      $('replay-result').textContent = 'Not replayed: ' + error.message;
    }
  }

  // --- wiring ------------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    showTokenState();
    $('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showTokenState();
    });
    $('filters').addEventListener('submit', (submitted) => {
      submitted.preventDefault();
      searchEvents();
    });
    $('filters').addEventListener('reset', () => setTimeout(searchEvents, 0));
    $('more').addEventListener('click', () => {
      paged = true;
      loadEvents(true);
    });
    $('replay').addEventListener('click', replay);
    loadState();
    loadEvents(false);
    setInterval(() => {
      loadState();
      if (!paged) {
        loadEvents(false);
      }
    }, REFRESH_MS);
  });
})();
