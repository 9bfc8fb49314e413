using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Closes a RunCloud connection (the default one unless -Connection is given) and forgets its credentials.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "RunCloud", HelpUri = HelpUris.Base + "Disconnect-RunCloud.md")]
    [OutputType(typeof(void))]
    public sealed class DisconnectRunCloudCommand : RunCloudCmdlet
    {
        /// <summary>The connection to close: the object, or the name given to Connect-RunCloud -Name.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
        public RunCloudConnection? Connection { get; set; }

        /// <summary>Closes every open connection, the default one and all named ones.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        protected override void ProcessRecord()
        {
            if (All)
            {
                foreach (RunCloudConnection named in ConnectionRegistry.All())
                {
                    ConnectionRegistry.Forget(named);
                    named.Dispose();
                }
            }

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
            ConnectionRegistry.Forget(target);
            if (Connection != null || !RunCloudSession.IsDefaultElsewhere(target)) target.Dispose();
            WriteVerbose($"RunCloud: disconnected from {target.BaseUri}.");
        }
    }
}
