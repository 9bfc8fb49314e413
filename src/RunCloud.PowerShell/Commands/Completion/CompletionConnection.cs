using System.Collections;
using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// The connection a completion reads through: what -Connection is bound to so far (the object, or a name typed before
    /// the parameter being completed, e.g. <c>-Connection clientA -ServerId &lt;Tab&gt;</c>), else this runspace's default.
    /// </summary>
    internal static class CompletionConnection
    {
        public static RunCloudConnection? From(IDictionary? fakeBoundParameters)
        {
            object? value = fakeBoundParameters?["Connection"];
            if (value is PSObject pso) value = pso.BaseObject;
            return value switch
            {
                RunCloudConnection connection => connection,
                string name when !string.IsNullOrWhiteSpace(name) => ConnectionRegistry.Get(name.Trim('\'', '"')),
                _ => RunCloudSession.Current,
            };
        }
    }
}
