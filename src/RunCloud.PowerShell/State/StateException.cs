using System;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// The state folder, a journal or a lock cannot be used. <see cref="ErrorId"/> is the ErrorId the Commands layer
    /// writes; <see cref="Path"/> is the file or folder concerned (null when there is none yet).
    /// </summary>
    public class StateException : Exception
    {
        public const string DefaultErrorId = "RunCloudStateUnavailable";

        public StateException(string message, Exception? inner = null, string? path = null, string errorId = DefaultErrorId)
            : base(message, inner)
        {
            Path = path;
            ErrorId = errorId;
        }

        public string? Path { get; }

        public string ErrorId { get; }
    }
}
