using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>Servers and web apps (read-only).</summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] ServerRoutes => new[]
        {
            new Route("servers", "GET", ListServers),
            new Route("servers/{s}", "GET", GetServer),
            new Route("servers/{s}/webapps", "GET", ListWebApps),
            new Route(App, "GET", GetWebApp),
        };

        private static ApiResult ListServers(Call c) =>
            Paginate(c, c.Emu.State.ServersLocked, s => s.Name, ServerJson, s => s.IpAddress);

        private static ApiResult GetServer(Call c) =>
            FindServer(c, out var s, out var e) ? Ok(ServerJson(s)) : e!;

        private static ApiResult ListWebApps(Call c) =>
            FindServer(c, out var s, out var e) ? Paginate(c, s.WebApps, w => w.Name, WebAppJson) : e!;

        private static ApiResult GetWebApp(Call c) =>
            FindApp(c, out var w, out var e) ? Ok(WebAppJson(w)) : e!;
    }
}
