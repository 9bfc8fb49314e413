using System.Threading;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// The log of the call in flight, for the handlers: a connection's handler chain is shared by every runspace and
    /// cmdlet, so the sink travels with the async execution context of the call instead of living on the handler.
    /// </summary>
    internal static class RunCloudLog
    {
        private static readonly AsyncLocal<IRunCloudLog?> s_current = new AsyncLocal<IRunCloudLog?>();

        public static IRunCloudLog? Current
        {
            get => s_current.Value;
            set => s_current.Value = value;
        }
    }
}
