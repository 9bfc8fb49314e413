using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>RunCloud's static lists (static/...).</summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] StaticRoutes => new[]
        {
            new Route("static/ssl/protocols", "GET", ListSslProtocols),
        };

        /// <summary>
        /// The TLS protocol choices, a bare list of {id, name}. RunCloud's v3 reference sends {"webServer": "nginx"} ("since
        /// v2 it only supports nginx"): webServer is required and must be nginx (422 in Laravel's words otherwise), unless
        /// EmulatorOptions.ProtocolsRequireWebServer is false. It may come in the query or in a JSON body (Laravel's input).
        /// </summary>
        private static ApiResult ListSslProtocols(Call c)
        {
            if (c.Emu._options.ProtocolsRequireWebServer)
            {
                var ws = c.Input("webServer");
                if (ws == null) return Invalid(("webServer", "The web server field is required."));
                if (ws != "nginx") return Invalid(("webServer", "The selected web server is invalid."));
            }
            return Ok(new JArray(EmulatorState.SslProtocols.Select(p => new JObject { ["id"] = p.Id, ["name"] = p.Name })));
        }
    }
}
