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
            new Route("static/ssl/protocols", "GET", c => Ok(new JArray(EmulatorState.SslProtocols.Select(p => new JObject { ["id"] = p.Id, ["name"] = p.Name })))),
        };
    }
}
