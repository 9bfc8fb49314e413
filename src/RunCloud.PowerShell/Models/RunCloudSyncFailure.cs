using System;

namespace RunCloud.PowerShell.Models
{
    /// <summary>A change Sync-RunCloudDomain tried and RunCloud refused or failed.</summary>
    public sealed class RunCloudSyncFailure
    {
        public RunCloudSyncFailure(string name, string action, string errorId, string message)
        {
            Name = name; Action = action; ErrorId = errorId; Message = message;
        }

        public string Name { get; }

        /// <summary>Add, Remove or RedeploySsl.</summary>
        public string Action { get; }

        public string ErrorId { get; }
        public string Message { get; }
        public override string ToString() => $"{Action} {Name}: {Message}";
    }
}
