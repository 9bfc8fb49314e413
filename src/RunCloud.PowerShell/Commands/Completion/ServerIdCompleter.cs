using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -ServerId with the account's servers.</summary>
    public sealed class ServerIdCompleter : RunCloudIdCompleter
    {
        private protected override bool TryGetScope(RunCloudConnection connection, IDictionary? bound, out long? serverId)
        {
            serverId = null;
            return true;
        }
    }
}
