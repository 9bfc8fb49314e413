using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Api
{
    internal sealed class AddResult
    {
        public AddResult(AddOutcome outcome, RunCloudDomain? domain) { Outcome = outcome; Domain = domain; }
        public AddOutcome Outcome { get; }
        public RunCloudDomain? Domain { get; }
    }
}
