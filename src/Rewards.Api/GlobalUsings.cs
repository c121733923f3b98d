global using StackExchange.Redis;
