using System.Management.Automation;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the current default RunCloud connection; writes nothing when not connected.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudConnection", HelpUri = HelpUris.Base + "Get-RunCloudConnection.md")]
    [OutputType(typeof(RunCloudConnection))]
    public sealed class GetRunCloudConnectionCommand : RunCloudCmdlet
    {
        protected override void EndProcessing()
        {
            RunCloudConnection? current = RunCloudSession.Current;
            if (current != null)
            {
                WriteObject(current);
            }
        }
    }
}
