/// The page's stylesheet and script, served by the companion itself (`/page.css`, `/page.js`,
/// `/legend-a4.css`, `/legend-a5.css`): nothing is fetched from elsewhere, so the page works on
/// a venue network without internet, and the Content-Security-Policy can allow only 'self'.
///
/// Lamp patterns blink at the daemon's rates (`LEDPattern`: blink 1 s, slow 2 s, fast 0.4 s,
/// flash 0.1 s every 2 s) and every lamp also carries its pattern in words, so a reader need
/// not catch the instant.
enum PageAssets {
    static let css = """
    :root{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans CJK JP",sans-serif;color:#111;background:#f4f4f4}
    body{margin:0;line-height:1.45}
    header{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:8px 12px;background:#222;color:#fff;flex-wrap:wrap}
    header a{color:#fff;margin-left:12px}
    .site{font-weight:700}
    main{max-width:980px;margin:0 auto;padding:8px}
    footer{max-width:980px;margin:0 auto;padding:8px 12px 24px;font-size:.8em;color:#444}
    .status{border-radius:10px;padding:14px 16px;margin:8px 0;color:#fff;background:#555}
    .status h1{margin:.1em 0;font-size:2.6em;line-height:1.1}
    .status .other{margin:0;opacity:.85}
    .status .todo{font-size:1.25em;margin:.4em 0}
    .status .updated,.small{font-size:.85em}
    .s-safe{background:#1e7b34;color:#fff}
    .s-caution{background:#7d9a12;color:#fff}
    .s-warning{background:#f2c200;color:#111}
    .s-severe{background:#e8590c;color:#fff}
    .s-stop{background:#c0141c;color:#fff}
    .s-unknown{background:repeating-linear-gradient(45deg,#5a5a5a 0 14px,#6e6e6e 14px 28px);color:#fff}
    .s-down{background:repeating-linear-gradient(45deg,#111 0 16px,#3a3a3a 16px 32px);color:#fff;border:4px solid #f2c200}
    .chip{display:inline-block;padding:2px 10px;border-radius:6px;font-weight:700}
    .lamps{display:flex;gap:10px;margin-bottom:6px}
    .lamp{display:inline-block;width:40px;height:40px;border-radius:50%;background:#2b2b2b;border:3px solid #000;box-sizing:border-box}
    .lamp.l-green:not(.p-off){background:#2ee05a}.lamp.l-yellow:not(.p-off){background:#ffd400}
    .lamp.l-red:not(.p-off){background:#ff2a2a}.lamp.l-blue:not(.p-off){background:#3d8bff}
    .lamp.p-blink{animation:blink 1s steps(1,end) infinite}
    .lamp.p-blink-slow{animation:blink 2s steps(1,end) infinite}
    .lamp.p-blink-fast{animation:blink .4s steps(1,end) infinite}
    .lamp.p-flash{animation:flash 2s steps(1,end) infinite}
    @keyframes blink{0%{opacity:1}50%{opacity:.12}}
    @keyframes flash{0%{opacity:1}5%{opacity:.12}}
    .emergency{background:#fff;border:6px solid #c0141c;border-radius:10px;padding:10px 14px;margin:8px 0}
    .emergency h2{color:#c0141c;margin:.2em 0;font-size:1.6em}
    .numbers{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px;font-size:1.1em}
    .numbers strong{font-size:1.2em}
    .card{background:#fff;border-radius:10px;padding:10px 14px;margin:8px 0;box-shadow:0 1px 2px rgba(0,0,0,.15)}
    .card h2{font-size:1.15em;margin:.2em 0 .4em}
    .areas{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:0 8px}
    .big .value{font-size:1.9em;font-weight:700;margin-left:6px}
    .reasons li{margin:.25em 0}
    .raw{font-family:monospace;font-size:.8em}
    .sensors{padding-left:1.2em;margin:.3em 0}
    .q-faulted,.q-stale{color:#b00000;font-weight:700}
    .chart{width:100%;height:auto;display:block}
    dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{font-weight:700}dd{margin:0}
    #lost{display:none;position:sticky;top:0;z-index:10;background:#f2c200;color:#111;padding:10px 14px;font-weight:700;border-bottom:4px solid #111}
    body.lost #lost{display:block}
    body.lost #live,body.lost #charts{opacity:.35}
    .scroll{overflow-x:auto}
    table.records{border-collapse:collapse;width:100%}table.records td,table.records th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}
    @media (max-width:480px){.status h1{font-size:2em}.lamp{width:34px;height:34px}header a{margin-left:8px}}
    .legend{background:#fff;margin:0;padding:0}
    .legend h1{font-size:1.5em;margin:0 0 4px}
    .legend .en{color:#333;font-size:.9em}
    .legend tr[class^="s-"] .en{color:inherit}
    .legend-table{border-collapse:collapse;width:100%;margin:4px 0 6px}
    .legend-table th,.legend-table td{border:1px solid #444;padding:3px 5px;vertical-align:middle;text-align:left}
    .legend-table td.lamp-cell{width:10em;background:#fff;color:#111}
    .legend-table td.lamp-cell .en{color:#333}
    .legend nav.noprint{margin-bottom:6px}
    @media print{.noprint{display:none}}
    .legend h2{margin:4px 0 2px;font-size:1.15em}
    .legend .numbers{margin:0;gap:0 12px;font-size:1em}
    .legend p{margin:4px 0}
    @media print{:root{background:#fff}}
    .legend-table td.num{white-space:nowrap;text-align:center}
    .legend-table tr[class^="s-"] td:nth-child(2){font-size:1.05em}
    .lamp.print{width:18px;height:18px;border-width:2px;margin-right:3px;animation:none;vertical-align:middle;-webkit-print-color-adjust:exact;print-color-adjust:exact}
    .lamp.print.p-blink,.lamp.print.p-blink-slow,.lamp.print.p-blink-fast,.lamp.print.p-flash{border-style:dashed;border-color:#000}
    .pn{display:block;font-size:.8em;line-height:1.1;margin-top:2px}
    .legend .numbers{columns:2;display:block}
    .legend .warn{border:2px solid #000;padding:4px 6px}
    .legend .buzzer{margin:0;padding-left:1.2em}
    * {-webkit-print-color-adjust:exact;print-color-adjust:exact}
    """

    static let legendA4 = """
    @page{size:A4 portrait;margin:8mm}
    .legend{font-size:8.6pt}
    .lamp.print{width:15px;height:15px}
    """

    static let legendA5 = """
    @page{size:A5 portrait;margin:5mm}
    .legend{font-size:5.9pt}
    .legend h1{font-size:1.35em}
    .lamp.print{width:12px;height:12px}
    .legend-table th,.legend-table td{padding:1px 3px}
    """

    /// Replaces the live parts when the server sends them; says the page is not updating when
    /// nothing (not even the 5-second ping) arrived for 12 s. A browser retries a stream that
    /// broke, but never one the server refused (503: too many pages open); the page then opens
    /// a new one after 10–20 s (spread, so phones refused together do not come back together).
    static let script = """
    (function(){
      "use strict";
      var body=document.body,lang=body.getAttribute("data-lang")||"ja",last=Date.now();
      function alive(){last=Date.now();body.classList.remove("lost");}
      setInterval(function(){if(Date.now()-last>12000){body.classList.add("lost");}},1000);
      if(!window.EventSource){return;}
      function connect(){
        var es=new EventSource("/events?lang="+encodeURIComponent(lang));
        es.addEventListener("live",function(e){document.getElementById("live").innerHTML=e.data;alive();});
        es.addEventListener("charts",function(e){document.getElementById("charts").innerHTML=e.data;alive();});
        es.addEventListener("ping",alive);
        es.onerror=function(){if(es.readyState===EventSource.CLOSED){setTimeout(connect,10000+Math.random()*10000);}};
      }
      connect();
    })();
    """
}
