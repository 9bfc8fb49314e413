using System;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>A manifest connection that cannot be opened: its credential cannot be read, or its address or version is wrong.</summary>
    internal sealed class ManifestConnectionException : Exception
    {
        public ManifestConnectionException(string message, string errorId, ErrorCategory category, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }

        public ErrorCategory Category { get; }
    }
}
