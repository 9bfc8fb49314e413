using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>GET ping: the documented credentials test.</summary>
    public sealed partial class RunCloudEmulator
    {
        private static Route[] PingRoutes => new[]
        {
            new Route("ping", "GET", c => Ok(new JObject { ["message"] = "pong" })),
        };
    }
}
