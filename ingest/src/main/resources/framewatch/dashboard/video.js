/*
 * framewatch: one video's verdict, its score-over-time chart per face track (uPlot) with the
 * alert windows shaded, its tracks, their evidence (aligned face crops, frame thumbnails and a
 * flagged track's super-resolved face, served by GET /v1/videos/{id}/evidence/{name}; only where
 * the page is served by the API) and its
 * alerts. Shared by the dashboard (/dashboard/) and the HTML report (framewatch analyze
 * --report), which both hand render() the JSON of GET /v1/videos/{id}. Text from the data is only
 * ever set as textContent.
 */
(function (global) {
  'use strict';

  var COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d',
    '#b91c1c'];
  var charts = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function num(x, digits) {
    return x === null || x === undefined || x === '' ? '–' : Number(x).toFixed(digits);
  }

  /** int64 fields arrive as JSON strings (protobuf's canonical JSON): microseconds to seconds. */
  function seconds(us) {
    return us === undefined || us === null ? null : Number(us) / 1e6;
  }

  function time(ms) {
    return ms ? new Date(Number(ms)).toLocaleTimeString() : '–';
  }

  /**
   * Alert windows from an alert history: each alert from its RAISED window's start to its
   * CLEARED window's end; an alert not cleared yet runs to {@code endSeconds}.
   */
  function alertWindows(alerts, endSeconds) {
    var byId = {};
    var order = [];
    (alerts || []).forEach(function (a) {
      var w = byId[a.alertId];
      if (a.transition === 'RAISED') {
        w = {id: a.alertId, start: seconds(a.windowStartUs), end: null, open: true};
        byId[a.alertId] = w;
        order.push(w);
      } else if (a.transition === 'CLEARED' && w) {
        w.end = seconds(a.windowEndUs);
        w.open = false;
      }
    });
    order.forEach(function (w) {
      if (w.open) w.end = Math.max(endSeconds, w.start);
    });
    return order;
  }

  /** uPlot's aligned data: one x array (seconds) and, per track, P(fake) or null at each x. */
  function chartData(tracks) {
    var xs = {};
    tracks.forEach(function (t) {
      t.points.forEach(function (p) { xs[p[0]] = true; });
    });
    var x = Object.keys(xs).map(Number).sort(function (a, b) { return a - b; });
    var data = [x];
    tracks.forEach(function (t) {
      var at = {};
      t.points.forEach(function (p) { at[p[0]] = p[1]; });
      data.push(x.map(function (s) { return at[s] === undefined ? null : at[s]; }));
    });
    return data;
  }

  function shade(windows) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      var left = u.bbox.left;
      var right = u.bbox.left + u.bbox.width;
      windows.forEach(function (w) {
        // a window may start before the stream did (its first 10 s): keep to the plot
        var x0 = Math.max(left, u.valToPos(w.start, 'x', true));
        var x1 = Math.min(right, u.valToPos(w.end, 'x', true));
        if (x1 <= x0) return;
        ctx.fillStyle = w.open ? 'rgba(220, 38, 38, 0.22)' : 'rgba(220, 38, 38, 0.12)';
        ctx.fillRect(x0, u.bbox.top, Math.max(x1 - x0, 2), u.bbox.height);
      });
      ctx.restore();
    };
  }

  function renderChart(box, video) {
    var tracks = (video.timeline && video.timeline.tracks) || [];
    var data = chartData(tracks);
    var last = data[0].length ? data[0][data[0].length - 1] : 0;
    var duration = video.probe && video.probe.durationSeconds ? video.probe.durationSeconds : 0;
    var end = Math.max(last, duration);
    var windows = alertWindows(video.alerts, end);
    var scored = 0;
    tracks.forEach(function (t) {
      t.points.forEach(function (p) { if (p[1] !== null) scored++; });
    });
    var chart = el('div', 'chart');
    chart.dataset.series = String(tracks.length);
    chart.dataset.points = String(scored);
    chart.dataset.alertWindows = String(windows.length);
    box.appendChild(chart);
    if (!tracks.length) {
      chart.appendChild(el('p', 'empty', video.timeline ? 'No faces on the timeline.'
        : 'No score timeline for this video.'));
      return;
    }
    if (!global.uPlot) {
      // ingest could not fetch uPlot from npm (its /dashboard/vendor/ answer says why)
      chart.appendChild(el('p', 'error', 'The chart library did not load.'));
      return;
    }
    var series = [{label: 'seconds'}];
    tracks.forEach(function (t, i) {
      // a face missing from a sample breaks its line; dots keep lone samples visible
      series.push({label: 'track ' + t.id, stroke: COLORS[i % COLORS.length], width: 1.5,
        spanGaps: false, points: {show: true, size: 3}});
    });
    var opts = {
      width: Math.max(320, chart.clientWidth || 800),
      height: 260,
      scales: {x: {time: false, range: [0, Math.max(end, 1)]}, y: {range: [0, 1]}},
      axes: [{label: 'seconds'}, {label: 'P(fake)'}],
      series: series,
      hooks: {drawClear: [shade(windows)]}
    };
    charts.push({plot: new global.uPlot(opts, data, chart), box: box, chart: chart});
  }

  function row(table, cells, cls) {
    var tr = el('tr', cls);
    cells.forEach(function (c) { tr.appendChild(el('td', null, c)); });
    table.appendChild(tr);
    return tr;
  }

  function table(headers, cls) {
    var t = el('table', cls);
    var head = el('tr');
    headers.forEach(function (h) { head.appendChild(el('th', null, h)); });
    t.appendChild(head);
    return t;
  }

  function renderSummary(box, v) {
    var dl = el('dl', 'verdict');
    function item(label, value, cls) {
      dl.appendChild(el('dt', null, label));
      dl.appendChild(el('dd', cls, value));
    }
    item('status', v.status, 'status status-' + v.status);
    item('file', v.fileName || v.videoId);
    item('video id', v.videoId, 'video-id');
    item('decision score', num(v.decisionScore, 3) + (v.scorePolicy ? ' (' + v.scorePolicy + ')' : ''),
      'decision');
    item('mean / best track / p90', num(v.score, 3) + ' / ' + num(v.scoreTrackMax, 3) + ' / '
      + num(v.scoreP90, 3));
    item('model', v.model);
    item('frames analysed', (v.framesAnalyzed || 0) + ' of '
      + (v.framesExpected === null || v.framesExpected === undefined ? '?' : v.framesExpected));
    item('faces', v.facesDetected || 0);
    if (v.alertsRaised !== undefined) {
      item('alerts raised', v.alertsRaised + (v.alertOpen ? ' (one open)' : ''), 'alerts-raised');
    }
    if (v.error) item('error', v.error, 'error');
    if (v.stall) item('stalled', v.stall.stage + ': ' + v.stall.reason, 'error');
    box.appendChild(dl);
  }

  function renderTracks(box, v) {
    box.appendChild(el('h3', null, 'Face tracks'));
    var t = table(['track', 'first s', 'last s', 'frames', 'mean', 'p90', 'max'], 'tracks');
    (v.tracks || []).forEach(function (tr) {
      row(t, [tr.id, num(tr.firstSeconds, 1), num(tr.lastSeconds, 1), tr.frames,
        num(tr.scoreMean, 3), num(tr.scoreP90, 3), num(tr.scoreMax, 3)]).dataset.track = tr.id;
    });
    box.appendChild(t);
  }

  /** Evidence files are served by the API: a report opened from disk has none to show. */
  function served() {
    return global.location && /^https?:$/.test(global.location.protocol);
  }

  function evidenceUrl(videoId, name) {
    return '/v1/videos/' + encodeURIComponent(videoId) + '/evidence/' + encodeURIComponent(name);
  }

  /** An image of one evidence file, linking to itself at full size. */
  function evidenceImage(videoId, name, cls, alt) {
    var a = el('a', cls);
    a.href = evidenceUrl(videoId, name);
    a.target = '_blank';
    var img = el('img');
    img.src = a.href;
    img.alt = alt;
    img.loading = 'lazy';
    a.appendChild(img);
    return a;
  }

  /**
   * Each track's top samples: the crop the classifier judged, for a face at or above its model's raise threshold the same
   * crop with its artifact map (where the model sees blending), and the frame with the face's box
   * (decode extracts them once an upload is FINAL, or from a live stream's held frames).
   */
  function renderEvidence(box, v) {
    var tracks = (v.tracks || []).filter(function (t) { return (t.evidence || []).length; });
    if (!tracks.length) return;
    box.appendChild(el('h3', null, 'Evidence (top samples per track)'));
    var wrap = el('div', 'evidence');
    tracks.forEach(function (t) {
      t.evidence.forEach(function (e) {
        var fig = el('figure', 'evidence-item');
        fig.dataset.track = t.id;
        fig.dataset.sample = e.sampleIndex;
        if (e.stored && served()) {
          fig.appendChild(evidenceImage(v.videoId, e.cropFile, 'evidence-crop',
            'track ' + t.id + ' face at ' + num(e.seconds, 1) + ' s'));
          if (e.mapFile) {
            // at or above the raise threshold: the same crop with its artifact map
            fig.appendChild(evidenceImage(v.videoId, e.mapFile, 'evidence-map',
              'artifact map of track ' + t.id + ' at ' + num(e.seconds, 1) + ' s'));
          }
          fig.appendChild(evidenceImage(v.videoId, e.frameFile, 'evidence-frame',
            'frame at ' + num(e.seconds, 1) + ' s'));
        }
        // a flagged track's small face, super-resolved x3 by enhance from 5 source frames
        var sr = '';
        if (e.enhancedFile) {
          if (e.enhancedStored && served()) {
            fig.appendChild(evidenceImage(v.videoId, e.enhancedFile, 'evidence-sr',
              'track ' + t.id + ' face at ' + num(e.seconds, 1) + ' s, super-resolved x3'));
            sr = 'right: super-resolved ×3 (a sharper view, not recovered detail)';
          } else {
            sr = e.enhancedError ? 'not super-resolved: ' + e.enhancedError
              : e.enhancedStored ? e.enhancedFile : 'super-resolving…';
          }
        }
        var state = e.error ? 'not extracted: ' + e.error
          : e.stored ? (served() ? '' : e.cropFile) : 'extracting…';
        fig.appendChild(el('figcaption', null, 'track ' + t.id + ' · ' + num(e.seconds, 1)
          + ' s · P(fake) ' + num(e.pFake, 3) + (state ? ' · ' + state : '')
          + (sr ? ' · ' + sr : '')));
        wrap.appendChild(fig);
      });
    });
    box.appendChild(wrap);
  }

  function renderAlerts(box, v) {
    box.appendChild(el('h3', null, 'Alerts'));
    var alerts = v.alerts || [];
    if (!alerts.length) {
      box.appendChild(el('p', 'empty alerts', 'No alerts.'));
      return;
    }
    var t = table(['time', 'alert', 'transition', 'source', 'tracks', 'window s', 'score',
      'reason', 'evidence'], 'alerts');
    // an alert names its files before decode wrote them: only those the tracks say are stored
    // are shown as images (a missing one would be a broken image and a console error)
    var stored = {};
    (v.tracks || []).forEach(function (tr) {
      (tr.evidence || []).forEach(function (e) { if (e.stored) stored[e.cropFile] = true; });
    });
    alerts.forEach(function (a) {
      var tr = row(t, [time(a.atMs), a.alertId + '/' + a.sequence, a.transition, a.source,
        (a.trackIds || []).join(', '),
        num(seconds(a.windowStartUs), 1) + '–' + num(seconds(a.windowEndUs), 1),
        num(a.score, 3), a.reason, ''], 'transition-' + a.transition);
      var cell = tr.lastChild;
      (a.evidence || []).forEach(function (e) {
        if (served() && stored[e.cropFile]) {
          cell.appendChild(evidenceImage(a.videoId || v.videoId, e.cropFile, 'evidence-thumb',
            'sample ' + e.sampleIndex));
        } else {
          cell.appendChild(el('span', null, e.cropFile + ' '));
        }
      });
    });
    box.appendChild(t);
  }

  /** Replaces {@code box}'s content with the video's verdict, chart, tracks and alerts. */
  function render(box, video) {
    charts = charts.filter(function (c) {
      if (c.box !== box) return true;
      c.plot.destroy();
      return false;
    });
    box.textContent = '';
    renderSummary(box, video);
    box.appendChild(el('h3', null, 'P(fake) over time per face track'));
    renderChart(box, video);
    renderTracks(box, video);
    renderEvidence(box, video);
    renderAlerts(box, video);
  }

  global.addEventListener('resize', function () {
    charts.forEach(function (c) {
      c.plot.setSize({width: Math.max(320, c.chart.clientWidth), height: 260});
    });
  });

  global.FramewatchVideo = {render: render, alertWindows: alertWindows, chartData: chartData,
    time: time, num: num};
})(window);
