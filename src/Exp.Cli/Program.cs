Console.WriteLine("exp");
