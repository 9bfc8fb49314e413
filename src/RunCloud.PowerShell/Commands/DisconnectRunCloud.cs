using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Closes a RunCloud connection (the default one unless -Connection is given) and forgets its credentials.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "RunCloud")]
    [OutputType(typeof(void))]
    public sealed class DisconnectRunCloudCommand : RunCloudCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public RunCloudConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            RunCloudConnection? current = RunCloudSession.Current;
            RunCloudConnection? target = Connection ?? current;
            if (target == null)
            {
                WriteVerbose("RunCloud: not connected; nothing to disconnect.");
                return;
            }

            if (ReferenceEquals(target, current))
            {
                RunCloudSession.Exchange(null);
            }

            // Closing never breaks a request in flight: those finish, new ones are refused. A default connection that
            // another runspace still uses is left open for it.
            if (Connection != null || !RunCloudSession.IsDefaultElsewhere(target)) target.Dispose();
            WriteVerbose($"RunCloud: disconnected from {target.BaseUri}.");
        }
    }
}
